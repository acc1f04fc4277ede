"""Wire compatibility of protoc-gen-yibao's Swift messages with the reference protobuf implementation (Python).

  proto_wire.py <protos-dir> emit    prints "<sample> <hex>" per sample, encoded by Python's protobuf
  proto_wire.py <protos-dir> check   reads "<sample> <hex>" lines (encoded by Swift) and prints "<sample> ok" or
                                     "<sample> mismatch <text format>" after parsing them with Python's protobuf

The samples must equal the Swift test's `WireSamples` field for field.
"""
import subprocess
import sys
import tempfile


def load_module(protos_dir, out_dir):
    # protoc --python_out at test time: the generated module is never committed.
    subprocess.run(["protoc", f"-I{protos_dir}", f"--python_out={out_dir}", "yibao/test/v1/echo.proto"], check=True)
    sys.path.insert(0, out_dir)
    from yibao.test.v1 import echo_pb2
    return echo_pb2


def samples(pb):
    I32, I64, U32, U64 = 2**31 - 1, 2**63 - 1, 2**32 - 1, 2**64 - 1
    scalars_max = pb.Scalars(
        int32_value=I32, int64_value=I64, uint32_value=U32, uint64_value=U64, sint32_value=I32, sint64_value=I64,
        fixed32_value=U32, fixed64_value=U64, sfixed32_value=I32, sfixed64_value=I64, bool_value=True,
        float_value=float("inf"), double_value=1.7976931348623157e308)
    scalars_min = pb.Scalars(
        int32_value=-I32 - 1, int64_value=-I64 - 1, uint32_value=1, uint64_value=1, sint32_value=-I32 - 1,
        sint64_value=-I64 - 1, fixed32_value=1, fixed64_value=1, sfixed32_value=-I32 - 1, sfixed64_value=-I64 - 1,
        bool_value=False, float_value=float("-inf"), double_value=-5e-324)
    full = pb.EchoRequest(
        scalars=scalars_max, text="医保 ledger ✓ 🧾", payload=bytes(range(256)), kind=pb.ECHO_KIND_LOUD,
        nested=pb.Nested(label="n", weight=-7, tags=["a", "β"], kind=pb.ECHO_KIND_NEGATIVE),
        mode=pb.EchoRequest.MODE_CAREFUL,
        repeated_int32=[0, -1, I32], repeated_sint64=[-I64 - 1, 0, I64], repeated_uint64=[0, U64],
        repeated_fixed32=[1, U32], repeated_float=[1.5, -2.25], repeated_double=[3.141592653589793, -0.0],
        repeated_bool=[True, False, True], repeated_string=["", "x", "日本"], repeated_bytes=[b"", b"\x00\xff"],
        repeated_kind=[pb.ECHO_KIND_PLAIN, pb.ECHO_KIND_NEGATIVE, pb.ECHO_KIND_UNSPECIFIED],
        repeated_nested=[pb.Nested(label="r1"), pb.Nested()],
        counts={"a": 1, "b": -2, "": 0},
        nested_by_name={"x": pb.Nested(label="xx", weight=5), "empty": pb.Nested()},
        names_by_id={1: "one", -5: "minus five"},
        choice_nested=pb.Nested(label="chosen"))
    return {
        "empty": pb.EchoRequest(),
        "scalars_max": scalars_max,
        "scalars_min": scalars_min,
        "full": full,
        "unknown_enum": pb.EchoRequest(kind=7, repeated_kind=[9, -3]),
        "oneof_text": pb.EchoRequest(choice_text="オ"),
        "oneof_number": pb.EchoRequest(choice_number=-1),
        "oneof_bytes": pb.EchoRequest(choice_bytes=b"\x00\x01"),
        "oneof_kind_zero": pb.EchoRequest(choice_kind=pb.ECHO_KIND_UNSPECIFIED),
        "response": pb.EchoResponse(echoed=pb.EchoRequest(text="echo"), sequence=2**64 - 1),
    }


def main():
    protos_dir, mode = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as out_dir:
        pb = load_module(protos_dir, out_dir)
        expected = samples(pb)
        if mode == "emit":
            for name, message in expected.items():
                print(name, message.SerializeToString().hex())
        elif mode == "check":
            for line in sys.stdin.read().splitlines():
                name, _, hex_bytes = line.partition(" ")
                message = type(expected[name])()
                try:
                    message.ParseFromString(bytes.fromhex(hex_bytes.strip()))
                except Exception as error:  # noqa: BLE001 - report any parse failure as a mismatch
                    print(name, "unparsable", repr(error))
                    continue
                if message == expected[name]:
                    print(name, "ok")
                else:
                    print(name, "mismatch", str(message).replace("\n", " | "))
        else:
            sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
