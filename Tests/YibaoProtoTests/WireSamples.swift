import YibaoProto

/// The samples Tests/Interop/proto_wire.py builds with Python's protobuf, built here with the generated Swift.
enum WireSamples {
    typealias Request = Yibao_Test_V1_EchoRequest
    typealias Nested = Yibao_Test_V1_Nested
    typealias Scalars = Yibao_Test_V1_Scalars

    static var scalarsMax: Scalars {
        var s = Scalars()
        s.int32Value = .max; s.int64Value = .max; s.uint32Value = .max; s.uint64Value = .max
        s.sint32Value = .max; s.sint64Value = .max; s.fixed32Value = .max; s.fixed64Value = .max
        s.sfixed32Value = .max; s.sfixed64Value = .max; s.boolValue = true
        s.floatValue = .infinity; s.doubleValue = .greatestFiniteMagnitude
        return s
    }

    static var scalarsMin: Scalars {
        var s = Scalars()
        s.int32Value = .min; s.int64Value = .min; s.uint32Value = 1; s.uint64Value = 1
        s.sint32Value = .min; s.sint64Value = .min; s.fixed32Value = 1; s.fixed64Value = 1
        s.sfixed32Value = .min; s.sfixed64Value = .min; s.boolValue = false
        s.floatValue = -.infinity; s.doubleValue = -.leastNonzeroMagnitude
        return s
    }

    static func nested(_ label: String, weight: Int64 = 0, tags: [String] = [], kind: Yibao_Test_V1_EchoKind = .unspecified) -> Nested {
        var n = Nested()
        n.label = label; n.weight = weight; n.tags = tags; n.kind = kind
        return n
    }

    static var full: Request {
        var r = Request()
        r.scalars = scalarsMax
        r.text = "医保 ledger ✓ 🧾"
        r.payload = Array(0...255)
        r.kind = .loud
        r.nested = nested("n", weight: -7, tags: ["a", "β"], kind: .negative)
        r.mode = .careful
        r.repeatedInt32 = [0, -1, .max]
        r.repeatedSint64 = [.min, 0, .max]
        r.repeatedUint64 = [0, .max]
        r.repeatedFixed32 = [1, .max]
        r.repeatedFloat = [1.5, -2.25]
        r.repeatedDouble = [3.141592653589793, -0.0]
        r.repeatedBool = [true, false, true]
        r.repeatedString = ["", "x", "日本"]
        r.repeatedBytes = [[], [0x00, 0xff]]
        r.repeatedKind = [.plain, .negative, .unspecified]
        r.repeatedNested = [nested("r1"), Nested()]
        r.counts = ["a": 1, "b": -2, "": 0]
        r.nestedByName = ["x": nested("xx", weight: 5), "empty": Nested()]
        r.namesById = [1: "one", -5: "minus five"]
        r.choice = .choiceNested(nested("chosen"))
        return r
    }

    static func request(_ build: (inout Request) -> Void) -> Request {
        var r = Request()
        build(&r)
        return r
    }

    /// Name (as in proto_wire.py) and the encoded/decoded comparison for each sample.
    static var all: [(name: String, message: any ProtoMessage)] {
        var response = Yibao_Test_V1_EchoResponse()
        response.echoed = request { $0.text = "echo" }
        response.sequence = .max
        return [
            ("empty", Request()),
            ("scalars_max", scalarsMax),
            ("scalars_min", scalarsMin),
            ("full", full),
            ("unknown_enum", request { $0.kind = .unrecognized(7); $0.repeatedKind = [.unrecognized(9), .unrecognized(-3)] }),
            ("oneof_text", request { $0.choice = .choiceText("オ") }),
            ("oneof_number", request { $0.choice = .choiceNumber(-1) }),
            ("oneof_bytes", request { $0.choice = .choiceBytes([0x00, 0x01]) }),
            ("oneof_kind_zero", request { $0.choice = .choiceKind(.unspecified) }),
            ("response", response),
        ]
    }
}
