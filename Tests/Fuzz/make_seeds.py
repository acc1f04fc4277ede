#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus (Tests/Fuzz/corpus): byte 0 selects the target as FuzzTarget.swift reads it
(0: the deframer; 32 + n: message type n of ProtoMessageCatalog), the rest is a valid input made by protoc --encode.
Rerun when protos are added (catalog indexes move); committed seeds stay valid inputs either way."""
import hashlib
import os
import re
import struct
import subprocess

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
catalog = re.findall(r'\("([^"]+)", ', open(f"{root}/Sources/YibaoProto/Generated/_catalog.pb.swift").read())
files = {"grpc.health.v1": "grpc/health/v1/health.proto", "grpc.reflection.v1": "grpc/reflection/v1/reflection.proto",
         "grpc.reflection.v1alpha": "grpc/reflection/v1alpha/reflection.proto", "yibao.test.v1": "yibao/test/v1/echo.proto",
         "etcdserverpb": "etcd/etcdserverpb/rpc.proto", "mvccpb": "etcd/mvccpb/kv.proto"}
def encode(full, text):
    pkg = full.rsplit(".", 1)[0]
    return subprocess.run(["protoc", f"-I{root}/Protos", f"--encode={full}", files[pkg]], input=text.encode(),
                          capture_output=True, check=True).stdout
samples = {
 "grpc.health.v1.HealthCheckRequest": ['service: "yibao.test.v1.Echo"', ''],
 "grpc.health.v1.HealthCheckResponse": ['status: SERVING', 'status: SERVICE_UNKNOWN'],
 "grpc.reflection.v1.ServerReflectionRequest": ['host: "h" file_containing_symbol: "yibao.test.v1.Echo"', 'list_services: ""',
     'file_containing_extension { containing_type: "a.B" extension_number: 7 }'],
 "grpc.reflection.v1.ServerReflectionResponse": ['valid_host: "h" original_request { list_services: "" } list_services_response { service { name: "a.B" } service { name: "c.D" } }',
     'file_descriptor_response { file_descriptor_proto: "\\n\\x07a.proto" }', 'error_response { error_code: 5 error_message: "no" }'],
 "grpc.reflection.v1alpha.ServerReflectionRequest": ['file_by_filename: "yibao/test/v1/echo.proto"'],
 "grpc.reflection.v1alpha.ServerReflectionResponse": ['all_extension_numbers_response { base_type_name: "x.Y" extension_number: [1, 2, 300] }'],
 "yibao.test.v1.Scalars": ['int32_value: -1 int64_value: 9223372036854775807 uint32_value: 4294967295 sint32_value: -5 sint64_value: -9 fixed32_value: 1 fixed64_value: 2 sfixed32_value: -3 sfixed64_value: -4 bool_value: true float_value: 1.5 double_value: -2.5'],
 "yibao.test.v1.Nested": ['label: "医保" weight: -7 tags: ["a", "b"] kind: ECHO_KIND_NEGATIVE'],
 "yibao.test.v1.EchoRequest": ['scalars { int32_value: 1 } text: "hello" payload: "\\x00\\xff" kind: ECHO_KIND_LOUD nested { label: "n" } mode: MODE_CAREFUL repeated_int32: [1, -1] repeated_sint64: [-3] repeated_uint64: [5] repeated_fixed32: [7] repeated_float: [1.5] repeated_double: [2.5] repeated_bool: [true] repeated_string: ["x", ""] repeated_bytes: ["\\x01"] repeated_kind: [ECHO_KIND_PLAIN, ECHO_KIND_NEGATIVE] repeated_nested { label: "r" } counts { key: "a" value: 1 } nested_by_name { key: "k" value { weight: 3 } } names_by_id { key: 4 value: "four" } choice_nested { label: "c" }',
     'choice_bytes: "\\x00\\x01" mode: MODE_FAST', 'choice_kind: ECHO_KIND_LOUD', 'choice_number: -5'],
 "yibao.test.v1.EchoResponse": ['echoed { text: "e" choice_text: "t" } sequence: 18446744073709551615'],
 "yibao.test.v1.ExpandRequest": ['text: "abc" count: 3'],
 # What an etcd server sends the client (YibaoEtcd): peer bytes like any other.
 "etcdserverpb.RangeResponse": ['header { cluster_id: 1 member_id: 2 revision: 9 raft_term: 3 } kvs { key: "log/1" create_revision: 4 mod_revision: 5 version: 2 value: "\\x00\\xff" lease: 7 } more: true count: 12'],
 "etcdserverpb.TxnResponse": ['header { revision: 10 } succeeded: false responses { response_range { kvs { key: "seq/1" value: "a" } count: 1 } }',
     'succeeded: true responses { response_put { prev_kv { key: "k" } } } responses { response_delete_range { deleted: 2 } }'],
 "etcdserverpb.WatchResponse": ['header { revision: 20 } watch_id: 1 events { type: PUT kv { key: "log/1" mod_revision: 20 value: "v" } } events { type: DELETE kv { key: "log/2" mod_revision: 21 } prev_kv { key: "log/2" value: "old" } }',
     'watch_id: 1 created: true', 'canceled: true compact_revision: 11 cancel_reason: "compacted"'],
 "etcdserverpb.LeaseKeepAliveResponse": ['header { revision: 3 } ID: 7587 TTL: 30'],
 "mvccpb.Event": ['type: DELETE kv { key: "k" mod_revision: 9 } prev_kv { key: "k" value: "v" version: 3 }'],
}
out = f"{root}/Tests/Fuzz/corpus"
def write(data):
    open(f"{out}/seed-{hashlib.sha1(data).hexdigest()[:16]}", "wb").write(data)
for full, texts in samples.items():
    index = catalog.index(full)
    for text in texts:
        write(bytes([32 + index]) + encode(full, text))
# Deframer: whole messages, several in a row, an empty one, a compressed flag, a bad flag, an oversized length.
echo = encode("yibao.test.v1.EchoRequest", samples["yibao.test.v1.EchoRequest"][0])
frame = lambda m, flag=0: struct.pack(">BI", flag, len(m)) + m
write(b"\x00" + frame(echo))
write(b"\x00" + frame(b"") + frame(b"abc") + frame(echo[:100]))
write(b"\x00" + frame(b"abc", flag=1))
write(b"\x00" + frame(b"abc", flag=7))
write(b"\x00" + struct.pack(">BI", 0, 5000) + b"x" * 20)
write(b"\x00" + frame(b"12345")[:3])
print(len(os.listdir(out)), "seeds")
