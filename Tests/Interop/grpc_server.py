"""A stock grpcio server for the Swift client's interop tests: yibao.test.v1.Echo with protobuf messages from
`protoc --python_out` (made at start, never committed), served through generic handlers.

  grpc_server.py <protos-dir> <port-file> [--port N] [--tls CERT_DIR] [--mtls CERT_DIR]

Writes the bound port to <port-file> once serving (port 0 asks for a free one). Runs until killed, and exits by
itself after 300 s so that a test that dies cannot leave it behind.
Behaviour, chosen by the request's `text`:
  "fail:<code>:<message>"  abort with that status code and message
  "sleep"                  sleep far longer than any test deadline (only cancellation ends it)
  "flaky:<key>"            UNAVAILABLE for the first two calls with that key, then OK
  "peer"                   answer the client certificate's CN (mTLS) in `text`
  anything else            echo; `x-*` metadata comes back as `echo-x-*` headers and `trailer-x-*` trailers
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc


def load_module(protos_dir):
    out_dir = tempfile.mkdtemp(prefix="yibao-pb2-")
    subprocess.run(["protoc", f"-I{protos_dir}", f"--python_out={out_dir}", "yibao/test/v1/echo.proto"], check=True)
    sys.path.insert(0, out_dir)
    from yibao.test.v1 import echo_pb2
    return echo_pb2


def main():
    protos_dir, port_file = sys.argv[1], sys.argv[2]
    options = sys.argv[3:]
    port, tls_dir, mutual = 0, None, False
    while options:
        flag, value = options[0], options[1]
        options = options[2:]
        if flag == "--port":
            port = int(value)
        elif flag in ("--tls", "--mtls"):
            tls_dir, mutual = value, flag == "--mtls"
    lifetime = threading.Timer(300, lambda: os._exit(3))
    lifetime.daemon = True
    lifetime.start()
    pb = load_module(protos_dir)
    flaky_counts = {}
    lock = threading.Lock()

    def echo_metadata(context):
        initial, trailing = [], []
        for key, value in context.invocation_metadata():
            if key.startswith("x-"):
                initial.append(("echo-" + key, value))
                trailing.append(("trailer-" + key, value))
        context.send_initial_metadata(initial)
        context.set_trailing_metadata(trailing)

    def unary(request, context):
        text = request.text
        if text.startswith("fail:"):
            _, code, message = text.split(":", 2)
            status = next(s for s in grpc.StatusCode if s.value[0] == int(code))
            context.abort(status, message)
        if text == "sleep":
            time.sleep(60)
        if text.startswith("flaky:"):
            with lock:
                flaky_counts[text] = flaky_counts.get(text, 0) + 1
                attempt = flaky_counts[text]
            if attempt <= 2:
                context.abort(grpc.StatusCode.UNAVAILABLE, f"flaky attempt {attempt}")
            return pb.EchoResponse(echoed=request, sequence=attempt)
        if text == "peer":
            names = (context.auth_context().get("x509_common_name") or [b""])
            return pb.EchoResponse(echoed=pb.EchoRequest(text=names[0].decode()))
        echo_metadata(context)
        return pb.EchoResponse(echoed=request, sequence=1)

    def expand(request, context):
        for index in range(request.count):
            yield pb.EchoResponse(echoed=pb.EchoRequest(text=request.text), sequence=index)

    def collect(requests, context):
        count, joined = 0, ""
        for request in requests:
            count += 1
            joined += request.text
        return pb.EchoResponse(echoed=pb.EchoRequest(text=joined), sequence=count)

    def chat(requests, context):
        for index, request in enumerate(requests):
            yield pb.EchoResponse(echoed=request, sequence=index)

    decode, encode = pb.EchoRequest.FromString, pb.EchoResponse.SerializeToString
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary, decode, encode),
        "Expand": grpc.unary_stream_rpc_method_handler(expand, pb.ExpandRequest.FromString, encode),
        "Collect": grpc.stream_unary_rpc_method_handler(collect, decode, encode),
        "Chat": grpc.stream_stream_rpc_method_handler(chat, decode, encode),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("yibao.test.v1.Echo", handlers),))
    address = f"127.0.0.1:{port}"
    if tls_dir:
        read = lambda name: open(f"{tls_dir}/{name}", "rb").read()
        credentials = grpc.ssl_server_credentials(
            [(read("server.key"), read("server.pem"))], root_certificates=read("ca.pem") if mutual else None,
            require_client_auth=mutual)
        bound = server.add_secure_port(address, credentials)
    else:
        bound = server.add_insecure_port(address)
    server.start()
    with open(port_file + ".tmp", "w") as out:
        out.write(str(bound))
    os.rename(port_file + ".tmp", port_file)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
