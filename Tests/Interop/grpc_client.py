#!/usr/bin/env python3
"""Drives a Yibao RPC server with stock clients and prints one JSON object per scenario result.

Usage: grpc_client.py PORT SCENARIO
grpcio's generic calls with no serializers pass message bytes through untouched, so no .proto is needed.
The h2 scenarios speak raw HTTP/2 (python-hyper h2) for what a gRPC client cannot send on purpose.
"""
import json
import os
import socket
import struct
import sys
import threading
import time

PREFIX = "/yibao.test.v1.Echo/"


def emit(**fields):
    print(json.dumps(fields), flush=True)


def channel(port):
    import grpc
    return grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 8 << 20)])


def status_of(error):
    return {"code": error.code().value[0], "details": error.details()}


def scenario_unary(port):
    with channel(port) as ch:
        call = ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)
        for size in [0, 1, 5, 100, 16383, 16384, 16385, 65535, 65536, 300_000, 1 << 20]:
            request = bytes((i * 7 + size) % 251 for i in range(size))
            response = call(request, timeout=90)
            emit(scenario="unary", size=size, ok=response == request, got=len(response))


def scenario_concurrent(port):
    with channel(port) as ch:
        call = ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)
        futures = [call.future(b"call-%d" % i * 100, timeout=90) for i in range(64)]
        matched = sum(1 for i, f in enumerate(futures) if f.result() == b"call-%d" % i * 100)
        emit(scenario="concurrent", calls=len(futures), matched=matched)


def scenario_stream(port):
    with channel(port) as ch:
        call = ch.unary_stream(PREFIX + "Expand", request_serializer=None, response_deserializer=None)
        for count, payload in [(0, b"x"), (3, b"hello"), (1000, bytes(range(256)) * 4)]:
            responses = list(call(struct.pack(">I", count) + payload, timeout=90))
            emit(scenario="stream", count=count, received=len(responses),
                 ok=all(r == payload for r in responses))


def scenario_client_stream(port):
    with channel(port) as ch:
        call = ch.stream_unary(PREFIX + "Collect", request_serializer=None, response_deserializer=None)
        for count in [0, 1, 50]:
            messages = [bytes([65 + i % 26]) * (i + 1) for i in range(count)]
            response = call(iter(messages), timeout=90)
            emit(scenario="client-stream", count=count, ok=response == b"".join(messages))
        count_call = ch.stream_unary(PREFIX + "Count", request_serializer=None, response_deserializer=None)
        big = bytes(8192)
        response = count_call(iter([big] * 2000), timeout=90)
        emit(scenario="client-stream-flow", response=response.decode())


def scenario_bidi(port):
    import queue
    with channel(port) as ch:
        call = ch.stream_stream(PREFIX + "Chat", request_serializer=None, response_deserializer=None)
        # Ping-pong: each request is sent only after the previous answer came back, which works only if the
        # server handles messages before the client half-closes.
        outbox = queue.Queue()
        outbox.put(b"ping-0")

        def requests():
            while True:
                item = outbox.get(timeout=90)
                if item is None:
                    return
                yield item

        answers = []
        for answer in call(requests(), timeout=90):
            answers.append(answer)
            outbox.put(b"ping-%d" % len(answers) if len(answers) < 20 else None)
        emit(scenario="bidi-pingpong", received=len(answers),
             ok=answers == [b"ping-%d" % i for i in range(20)])
        burst = [b"burst-%d" % i * 10 for i in range(500)]
        answers = list(call(iter(burst), timeout=90))
        emit(scenario="bidi-burst", received=len(answers), ok=answers == burst)


def scenario_metadata(port):
    with channel(port) as ch:
        call = ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)
        binary = bytes([0, 1, 2, 254, 255]) + "医保".encode()
        response, rpc = call.with_call(b"meta", timeout=90,
                                       metadata=[("x-ascii", "hello world"), ("x-blob-bin", binary)])
        initial = dict(rpc.initial_metadata())
        trailing = dict(rpc.trailing_metadata())
        emit(scenario="metadata", response=response.decode(),
             initial_ascii=initial.get("echo-x-ascii"),
             initial_bin=list(initial.get("echo-x-blob-bin", b"")),
             trailing_ascii=trailing.get("trailer-x-ascii"),
             trailing_bin=list(trailing.get("trailer-x-blob-bin", b"")),
             sent_bin=list(binary))


def scenario_status(port):
    import grpc
    with channel(port) as ch:
        call = ch.unary_unary(PREFIX + "Fail", request_serializer=None, response_deserializer=None)
        for code in range(1, 17):
            message = f"status {code}: 医保 100% ✓\ttab"
            try:
                call(bytes([code]) + message.encode(), timeout=90)
                emit(scenario="status", sent=code, code=0, details="", expected=message)
            except grpc.RpcError as error:
                emit(scenario="status", sent=code, expected=message, **status_of(error))
        # A handler that throws something that is not a GRPCStatus.
        try:
            call(b"", timeout=90)
            emit(scenario="status-unknown", code=0)
        except grpc.RpcError as error:
            emit(scenario="status-unknown", **status_of(error))


def scenario_deadline(port):
    import grpc
    with channel(port) as ch:
        # Connect first, so the short deadline is spent on the call, not on connection set-up.
        ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)(b"warm", timeout=90)
        call = ch.unary_unary(PREFIX + "Sleep", request_serializer=None, response_deserializer=None)
        try:
            call(b"", timeout=0.5)
            emit(scenario="deadline", code=0)
        except grpc.RpcError as error:
            emit(scenario="deadline", **status_of(error))


def scenario_unimplemented(port):
    import grpc
    with channel(port) as ch:
        call = ch.unary_unary("/yibao.test.v1.Echo/NoSuchMethod", request_serializer=None,
                              response_deserializer=None)
        try:
            call(b"x", timeout=90)
            emit(scenario="unimplemented", code=0)
        except grpc.RpcError as error:
            emit(scenario="unimplemented", **status_of(error))


def scenario_oversize(port):
    import grpc
    with channel(port) as ch:
        call = ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)
        try:
            call(bytes(5 << 20), timeout=90)
            emit(scenario="oversize", code=0)
        except grpc.RpcError as error:
            emit(scenario="oversize", **status_of(error))
        # The connection is still good for the next call.
        emit(scenario="oversize-after", ok=call(b"still here", timeout=90) == b"still here")


def scenario_cancel(port):
    """The client cancels (RST_STREAM) a call in flight; the server's handler must see it cancelled."""
    with channel(port) as ch:
        ch.unary_unary(PREFIX + "Unary", request_serializer=None, response_deserializer=None)(b"warm", timeout=90)
        call = ch.unary_unary(PREFIX + "Sleep", request_serializer=None, response_deserializer=None)
        future = call.future(b"", timeout=90)
        time.sleep(0.5)
        emit(scenario="cancel", cancelled=future.cancel())


# ---- raw HTTP/2 (python-hyper h2) ----

def h2_connect(port):
    import h2.config
    import h2.connection
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def h2_exchange(sock, conn, stream_id, body=None):
    """Reads until the stream ends; returns (response headers, trailers)."""
    import h2.events
    headers, trailers = {}, {}
    if body is not None:
        conn.send_data(stream_id, body, end_stream=True)
        sock.sendall(conn.data_to_send())
    while True:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed by server")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                headers = dict(event.headers)
            elif isinstance(event, h2.events.TrailersReceived) and event.stream_id == stream_id:
                trailers = dict(event.headers)
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            if isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)) and event.stream_id == stream_id:
                sock.sendall(conn.data_to_send())
                return headers, trailers
        sock.sendall(conn.data_to_send())


def grpc_headers(path, content_type="application/grpc", extra=()):
    return [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1"),
            ("content-type", content_type), ("te", "trailers"), *extra]


def framed(message):
    return struct.pack(">BI", 0, len(message)) + message


def scenario_h2_content_type(port):
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Unary", content_type="text/plain"), end_stream=False)
    headers, _ = h2_exchange(sock, conn, 1, body=b"hello")
    emit(scenario="h2-content-type", status=headers.get(":status"))
    emit(scenario="h2-settings", max_concurrent_streams=conn.remote_settings.max_concurrent_streams,
         max_header_list_size=conn.remote_settings.max_header_list_size)
    # Same connection, a proper call: the 415 did not hurt it.
    conn.send_headers(3, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(sock, conn, 3, body=framed(b"ok"))
    emit(scenario="h2-after-415", status=headers.get(":status"), grpc_status=trailers.get("grpc-status"))
    sock.close()


def scenario_h2_timeout(port):
    """grpc-timeout sent by hand: the status must come from the server, not from a client-side timer."""
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Sleep", extra=[("grpc-timeout", "200m")]), end_stream=False)
    headers, trailers = h2_exchange(sock, conn, 1, body=framed(b""))
    status = trailers.get("grpc-status") or headers.get("grpc-status")
    emit(scenario="h2-timeout", status=status)
    sock.close()


def scenario_h2_compressed(port):
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(sock, conn, 1, body=struct.pack(">BI", 1, 2) + b"zz")
    emit(scenario="h2-compressed", status=headers.get("grpc-status") or trailers.get("grpc-status"))
    conn.send_headers(3, grpc_headers(PREFIX + "Unary", extra=[("grpc-encoding", "snappy-9000")]), end_stream=False)
    headers, trailers = h2_exchange(sock, conn, 3, body=framed(b"zz"))
    emit(scenario="h2-encoding", status=headers.get("grpc-status") or trailers.get("grpc-status"),
         accept=headers.get("grpc-accept-encoding"))
    sock.close()


def scenario_h2_big_headers(port):
    """A header block above the server's limit resets that stream only."""
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Unary", extra=[("x-big", "b" * 20000)]), end_stream=False)
    try:
        headers, trailers = h2_exchange(sock, conn, 1, body=framed(b"big"))
        emit(scenario="h2-big-headers", reset=not headers, status=headers.get(":status"))
    except ConnectionError:
        emit(scenario="h2-big-headers", reset=False, closed=True)
    conn.send_headers(3, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(sock, conn, 3, body=framed(b"small"))
    emit(scenario="h2-after-big-headers", status=headers.get(":status"), grpc_status=trailers.get("grpc-status"))
    sock.close()


def scenario_h2_slow_reader(port):
    """Starts the Flood stream and reads nothing for a while: flow control must hold the server back."""
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Flood"), end_stream=False)
    conn.send_data(1, framed(b""), end_stream=True)
    sock.sendall(conn.data_to_send())
    # Wait for the first DATA (the handler is writing), never acknowledging it, so the window stays shut.
    import h2.events
    got_data = False
    while not got_data:
        data = sock.recv(65536)
        if not data:
            break
        got_data = any(isinstance(e, h2.events.DataReceived) for e in conn.receive_data(data))
        sock.sendall(conn.data_to_send())
    time.sleep(1.0)
    emit(scenario="h2-slow-reader", ok=got_data)
    sock.close()


def scenario_h2_stalled_reader(port):
    """Opens every window wide, starts the Flood stream (64 MiB) and never reads, with a tiny receive buffer:
    the server's socket fills up, not its flow-control windows. Holds the connection until the test creates
    /tmp/yibao-stalled-reader-<port>.release (at most 60 s), then leaves."""
    import h2.config
    import h2.connection
    import h2.settings
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect, so it does not grow
    sock.settimeout(60)
    sock.connect(("127.0.0.1", port))
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2**31 - 1})
    conn.increment_flow_control_window(2**31 - 1 - 65535)
    conn.send_headers(1, grpc_headers(PREFIX + "Flood"), end_stream=False)
    conn.send_data(1, framed(b""), end_stream=True)
    sock.sendall(conn.data_to_send())
    release = f"/tmp/yibao-stalled-reader-{port}.release"
    deadline = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.05)
    emit(scenario="h2-stalled-reader", ok=os.path.exists(release))
    sock.close()


def scenario_h2_inbound_flow(port):
    """Pushes 16 MiB of requests at a handler that reads one and stops: flow control must stop the client."""
    import h2.events
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Hold"), end_stream=False)
    sock.sendall(conn.data_to_send())
    message = framed(bytes(16384 - 5))
    total, target, pending = 0, 16 << 20, b""
    sock.settimeout(1.0)
    while total < target:
        window = conn.local_flow_control_window(1)
        if window == 0:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break  # no WINDOW_UPDATE for a second: the server is holding us back
            if not data:
                break
            conn.receive_data(data)
            sock.sendall(conn.data_to_send())
            continue
        if not pending:
            pending = message
        chunk = pending[:min(window, conn.max_outbound_frame_size, len(pending))]
        pending = pending[len(chunk):]
        conn.send_data(1, chunk)
        sock.sendall(conn.data_to_send())
        total += len(chunk)
    emit(scenario="h2-inbound-flow", got=total, ok=total < target)
    sock.close()


def scenario_h2_early_response(port):
    """An immediate error while the client is still sending: Trailers-Only, then RST_STREAM(NO_ERROR)."""
    import h2.events
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers("/yibao.test.v1.Echo/NoSuchMethod"), end_stream=False)
    conn.send_data(1, framed(b"more to come"), end_stream=False)
    sock.sendall(conn.data_to_send())
    status, reset_code = None, None
    sock.settimeout(60)
    while reset_code is None:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers).get("grpc-status")
            elif isinstance(event, h2.events.StreamReset):
                reset_code = int(event.error_code)
        sock.sendall(conn.data_to_send())
    emit(scenario="h2-early-response", status=status, code=reset_code)
    sock.close()


def read_until_closed(sock, limit_seconds=60):
    """True when the server closes the connection within the limit."""
    sock.settimeout(limit_seconds)
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def scenario_h2_idle(port):
    """Connections that say nothing (a half preface; a full preface and no request) are closed by the server."""
    half = socket.create_connection(("127.0.0.1", port), timeout=60)
    half.sendall(b"PRI * HTTP/2.0\r\n")
    emit(scenario="h2-idle-half-preface", closed=read_until_closed(half))
    silent, conn = h2_connect(port)
    emit(scenario="h2-idle-silent", closed=read_until_closed(silent))


def scenario_h2_connection_limit(port):
    """With room for one connection, a second is closed at once while the first keeps working."""
    first, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(first, conn, 1, body=framed(b"one"))
    second = socket.create_connection(("127.0.0.1", port), timeout=60)
    emit(scenario="h2-limit-second", closed=read_until_closed(second))
    conn.send_headers(3, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(first, conn, 3, body=framed(b"two"))
    emit(scenario="h2-limit-first", grpc_status=trailers.get("grpc-status"))
    first.close()


def scenario_h2_garbage(port):
    # A healthy connection opened first must keep working while others are rejected.
    healthy, conn = h2_connect(port)
    garbage = socket.create_connection(("127.0.0.1", port), timeout=60)
    garbage.sendall(bytes((i * 131 + 7) % 256 for i in range(4096)))
    emit(scenario="h2-garbage", closed=read_until_closed(garbage))
    truncated = socket.create_connection(("127.0.0.1", port), timeout=60)
    truncated.sendall(b"PRI * HTTP/2.0\r\n\r\nSM")
    truncated.shutdown(socket.SHUT_WR)
    emit(scenario="h2-truncated", closed=read_until_closed(truncated))
    # A valid preface followed by a malformed frame: a connection error, GOAWAY, close.
    broken = socket.create_connection(("127.0.0.1", port), timeout=60)
    broken.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x04\x04\x00\x00\x00\x00\x01" + b"\xff" * 4)
    emit(scenario="h2-bad-frame", closed=read_until_closed(broken))
    conn.send_headers(1, grpc_headers(PREFIX + "Unary"), end_stream=False)
    headers, trailers = h2_exchange(healthy, conn, 1, body=framed(b"alive"))
    emit(scenario="h2-healthy", status=headers.get(":status"), grpc_status=trailers.get("grpc-status"))
    healthy.close()


def scenario_h2_goaway(port):
    """Opens a slow call, then reads frames while the test shuts the server down. Expects the two-step GOAWAY:
    a notice (last stream 2^31-1) and PING, then, once the PING is answered, the final GOAWAY. A call opened
    right after the notice (before the PING ACK) must still be served; both calls end with grpc-status 0.
    Frames are read by hand (hpack for header blocks) because h2's connection state machine refuses all input
    after a GOAWAY, which is exactly the part under test."""
    import hpack
    sock, conn = h2_connect(port)
    conn.send_headers(1, grpc_headers(PREFIX + "Slow"), end_stream=False)
    conn.send_data(1, framed(b"slow"), end_stream=True)
    sock.sendall(conn.data_to_send())
    decoder = hpack.Decoder()
    goaways, trailers, closed, pending = [], {}, False, b""
    sock.settimeout(60)
    while not closed:
        data = sock.recv(65536)
        if not data:
            closed = True
        pending += data
        while len(pending) >= 9:
            length = int.from_bytes(pending[0:3], "big")
            if len(pending) < 9 + length:
                break
            kind, flags, stream = pending[3], pending[4], int.from_bytes(pending[5:9], "big") & 0x7FFFFFFF
            payload, pending = pending[9:9 + length], pending[9 + length:]
            if kind == 0x7:
                goaways.append(int.from_bytes(payload[0:4], "big") & 0x7FFFFFFF)
                if len(goaways) == 1:
                    # Still allowed: the notice names the largest stream id.
                    conn.send_headers(3, grpc_headers(PREFIX + "Unary"), end_stream=False)
                    conn.send_data(3, framed(b"late"), end_stream=True)
                    sock.sendall(conn.data_to_send())
            elif kind == 0x1:  # HEADERS: decode them all, the HPACK table is shared
                fields = dict(decoder.decode(payload))
                if flags & 0x1:
                    trailers[stream] = fields.get("grpc-status")
            elif kind == 0x4 and not flags & 0x1:  # SETTINGS: acknowledge
                sock.sendall(b"\x00\x00\x00\x04\x01\x00\x00\x00\x00")
            elif kind == 0x6 and not flags & 0x1:  # PING: answer
                sock.sendall(b"\x00\x00\x08\x06\x01\x00\x00\x00\x00" + payload)
    emit(scenario="h2-goaway", goaway=bool(goaways), goaway_last_streams=goaways,
         grpc_status=trailers.get(1), late_status=trailers.get(3), closed=closed)


SCENARIOS = {name[len("scenario_"):]: f for name, f in globals().items() if name.startswith("scenario_")}

if __name__ == "__main__":
    port, names = int(sys.argv[1]), sys.argv[2:]
    for name in names:
        SCENARIOS[name](port)
