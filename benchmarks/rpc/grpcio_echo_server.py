#!/usr/bin/env python3
"""grpcio_echo_server.py PORT PROTOS_DIR: yibao.test.v1.Echo/Unary on Python grpcio (asyncio server), decoding and
re-encoding with the reference protobuf like the Swift servers do. For context in benchmarks/rpc."""
import asyncio
import subprocess
import sys
import tempfile

import grpc


async def main():
    port, protos = sys.argv[1], sys.argv[2]
    out = tempfile.mkdtemp(prefix="yibao-bench-")
    subprocess.run(["protoc", f"-I{protos}", f"--python_out={out}", "yibao/test/v1/echo.proto"], check=True)
    sys.path.insert(0, out)
    from yibao.test.v1 import echo_pb2

    async def unary(request, context):
        return echo_pb2.EchoResponse(echoed=request)

    handler = grpc.method_handlers_generic_handler("yibao.test.v1.Echo", {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, request_deserializer=echo_pb2.EchoRequest.FromString,
                                                     response_serializer=echo_pb2.EchoResponse.SerializeToString)})
    server = grpc.aio.server(options=[("grpc.max_concurrent_streams", 4096)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


asyncio.run(main())
