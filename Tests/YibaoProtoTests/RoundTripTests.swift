import Testing
import YibaoProto

/// Every field kind survives encode then decode through protobuf-c, at its edge values.
@Suite("Generated messages round-trip")
struct RoundTripTests {
    typealias Request = Yibao_Test_V1_EchoRequest

    func roundTrip<M: ProtoMessage>(_ message: M) throws -> M {
        try M(decoding: message.encoded(), maxSize: ProtoLimits.defaultMaxMessageSize)
    }

    @Test func defaultsEncodeToNothing() throws {
        #expect(Request().encoded().isEmpty)
        #expect(try Request(decoding: []) == Request())
        #expect(Request().scalars == nil)
        #expect(Request().choice == nil)
        #expect(Request().kind == .unspecified)
    }

    @Test func scalarsAtTheirLimits() throws {
        #expect(try roundTrip(WireSamples.scalarsMax) == WireSamples.scalarsMax)
        #expect(try roundTrip(WireSamples.scalarsMin) == WireSamples.scalarsMin)
        var negative = Yibao_Test_V1_Scalars()
        negative.sint32Value = -1; negative.sint64Value = -1; negative.int32Value = -1; negative.int64Value = -1
        negative.doubleValue = .leastNonzeroMagnitude
        #expect(try roundTrip(negative) == negative)
        // protobuf-c compares proto3 singular floats with `== 0`, so -0.0 is not sent and reads back as +0.0
        // (repeated -0.0 survives: see WireSamples.full). Documented in docs/codegen.md.
        var minusZero = Yibao_Test_V1_Scalars()
        minusZero.doubleValue = -0.0
        #expect(minusZero.encoded().isEmpty)
    }

    @Test func notANumberKeepsItsBits() throws {
        var scalars = Yibao_Test_V1_Scalars()
        scalars.floatValue = .nan
        scalars.doubleValue = -.nan
        let decoded = try roundTrip(scalars)
        #expect(decoded.floatValue.isNaN && decoded.doubleValue.isNaN)
        #expect(decoded.floatValue.bitPattern == scalars.floatValue.bitPattern)
        #expect(decoded.doubleValue.bitPattern == scalars.doubleValue.bitPattern)
    }

    @Test func stringsAndBytes() throws {
        for text in ["", "a", "医保 ledger ✓ 🧾", "e\u{301}", String(repeating: "长", count: 300_000)] {
            let decoded = try roundTrip(WireSamples.request { $0.text = text; $0.repeatedString = [text, "", text] })
            #expect(decoded.text == text)
            #expect(decoded.repeatedString == [text, "", text])
        }
        let large = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for payload in [[], [0], [0xff, 0x00, 0x80], large] {
            let decoded = try roundTrip(WireSamples.request { $0.payload = payload; $0.repeatedBytes = [payload, []] })
            #expect(decoded.payload == payload)
            #expect(decoded.repeatedBytes == [payload, []])
        }
    }

    @Test func everyFieldKindTogether() throws {
        #expect(try roundTrip(WireSamples.full) == WireSamples.full)
    }

    @Test func enumsKeepUnknownValues() throws {
        let message = WireSamples.request {
            $0.kind = .unrecognized(12345)
            $0.repeatedKind = [.negative, .unrecognized(Int32.min), .unrecognized(Int32.max)]
            $0.mode = .unrecognized(-9)
        }
        #expect(try roundTrip(message) == message)
        #expect(Yibao_Test_V1_EchoKind(rawValue: -1) == .negative)
        #expect(Yibao_Test_V1_EchoKind(rawValue: 3).rawValue == 3)
    }

    @Test func nestedMessagesKeepPresence() throws {
        let empty = WireSamples.request { $0.nested = Yibao_Test_V1_Nested() }
        #expect(try roundTrip(empty).nested == Yibao_Test_V1_Nested())
        #expect(try roundTrip(Request()).nested == nil)
        var response = Yibao_Test_V1_EchoResponse()
        response.echoed = WireSamples.full
        #expect(try roundTrip(response) == response)
    }

    @Test func repeatedMessagesAndScalars() throws {
        let many = WireSamples.request {
            $0.repeatedNested = (0..<1000).map { WireSamples.nested("n\($0)", weight: Int64($0), tags: ["t\($0)"]) }
            $0.repeatedInt32 = Array(-500...500).map { Int32($0) }
            $0.repeatedBool = [false]
            $0.repeatedDouble = [.infinity, -.infinity, 0, .greatestFiniteMagnitude]
        }
        #expect(try roundTrip(many) == many)
    }

    @Test func maps() throws {
        let message = WireSamples.request {
            $0.counts = Dictionary(uniqueKeysWithValues: (0..<500).map { ("k\($0)", Int64($0) - 250) })
            $0.counts["Ünïcödé"] = .min
            $0.nestedByName = ["a": WireSamples.nested("A"), "": Yibao_Test_V1_Nested()]
            $0.namesById = [.min: "min", .max: "max", 0: ""]
        }
        #expect(try roundTrip(message) == message)
    }

    @Test func mapEncodingIsDeterministic() {
        let a = WireSamples.request { $0.counts = ["x": 1, "y": 2, "z": 3, "w": 4] }
        var b = Request()
        for (key, value) in [("w", Int64(4)), ("z", 3), ("y", 2), ("x", 1)] { b.counts[key] = value }
        #expect(a.encoded() == b.encoded())
    }

    @Test(arguments: [
        Request.Choice.choiceText(""), .choiceText("オ"), .choiceNumber(0), .choiceNumber(.min),
        .choiceNested(Yibao_Test_V1_Nested()), .choiceNested(WireSamples.nested("x", tags: ["y"])),
        .choiceBytes([]), .choiceBytes([1, 2, 3]), .choiceKind(.unspecified), .choiceKind(.unrecognized(77)),
    ])
    func oneofCases(_ choice: Request.Choice) throws {
        let message = WireSamples.request { $0.choice = choice }
        #expect(try roundTrip(message).choice == choice)
    }

    @Test func lastOneofMemberOnTheWireWins() throws {
        let text = WireSamples.request { $0.choice = .choiceText("first") }.encoded()
        let number = WireSamples.request { $0.choice = .choiceNumber(5) }.encoded()
        #expect(try Request(decoding: text + number).choice == .choiceNumber(5))
    }
}
