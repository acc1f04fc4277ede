#!/usr/bin/env python3
"""check_echo.py PORT REQUEST_FILE: one call with stock grpcio; exits non-zero unless the server echoes the
request in an EchoResponse with status OK (h2load counts HTTP 200s, not gRPC statuses)."""
import sys

import grpc

port, request_file = sys.argv[1], sys.argv[2]
request = open(request_file, "rb").read()
with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
    call = channel.unary_unary("/yibao.test.v1.Echo/Unary", request_serializer=None, response_deserializer=None)
    response = call(request, timeout=30)
# EchoResponse.echoed (field 1, length-delimited) holds the request's bytes.
expected = b"\x0a" + bytes([len(request)]) + request if len(request) < 128 else None
if expected is not None and response != expected:
    sys.exit(f"unexpected response {response!r}")
print("echo ok")
