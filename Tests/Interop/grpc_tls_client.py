#!/usr/bin/env python3
"""Drives a Yibao RPC server over TLS with stock grpcio and prints one JSON object per scenario result.

Usage: grpc_tls_client.py PORT CERT_DIR SCENARIO...
CERT_DIR holds what the Swift test generated with the openssl CLI: ca.pem (trusted for the server and the
client), client.pem/.key (CN=H46010600001, signed by ca), other-client.pem/.key (signed by another CA).
"""
import json
import os
import socket
import ssl
import struct
import sys
import time

PREFIX = "/yibao.test.v1.Echo/"
# A failing call must fail, not hang: every call has a deadline.
TIMEOUT = 60


def emit(**fields):
    print(json.dumps(fields), flush=True)


def read(cert_dir, name):
    with open(os.path.join(cert_dir, name), "rb") as f:
        return f.read()


def options():
    # The server certificate names 127.0.0.1 and localhost; the override pins the name checked.
    # A local subchannel pool keeps each channel's connection (and credentials) its own.
    return [("grpc.ssl_target_name_override", "localhost"), ("grpc.use_local_subchannel_pool", 1),
            ("grpc.max_receive_message_length", 8 << 20)]


def tls_channel(port, cert_dir, client=None):
    import grpc
    key = read(cert_dir, client + ".key") if client else None
    chain = read(cert_dir, client + ".pem") if client else None
    credentials = grpc.ssl_channel_credentials(root_certificates=read(cert_dir, "ca.pem"),
                                               private_key=key, certificate_chain=chain)
    return grpc.secure_channel(f"127.0.0.1:{port}", credentials, options=options())


def unary(ch, method="Unary"):
    return ch.unary_unary(PREFIX + method, request_serializer=None, response_deserializer=None)


def status_of(error):
    return {"code": error.code().value[0], "details": error.details()}


def try_call(scenario, ch):
    import grpc
    try:
        unary(ch)(b"should not arrive", timeout=TIMEOUT)
        emit(scenario=scenario, code=0)
    except grpc.RpcError as error:
        emit(scenario=scenario, **status_of(error))


def scenario_unary(port, cert_dir):
    with tls_channel(port, cert_dir, "client") as ch:
        for size in [0, 5, 16383, 16385, 300_000, 1 << 20]:
            request = bytes((i * 7 + size) % 251 for i in range(size))
            response = unary(ch)(request, timeout=TIMEOUT)
            emit(scenario="tls-unary", size=size, ok=response == request, got=len(response))


def scenario_stream(port, cert_dir):
    with tls_channel(port, cert_dir, "client") as ch:
        call = ch.unary_stream(PREFIX + "Expand", request_serializer=None, response_deserializer=None)
        payload = bytes(range(256)) * 4
        responses = list(call(struct.pack(">I", 1000) + payload, timeout=TIMEOUT))
        emit(scenario="tls-stream", count=1000, received=len(responses), ok=all(r == payload for r in responses))


def scenario_peer(port, cert_dir):
    with tls_channel(port, cert_dir, "client") as ch:
        emit(scenario="tls-peer", response=unary(ch, "Peer")(b"", timeout=TIMEOUT).decode())
        emit(scenario="tls-peer-identity", response=unary(ch, "PeerIdentity")(b"", timeout=TIMEOUT).decode())


def scenario_anonymous_peer(port, cert_dir):
    with tls_channel(port, cert_dir) as ch:
        emit(scenario="tls-anonymous-peer", response=unary(ch, "Peer")(b"", timeout=TIMEOUT).decode())


def scenario_no_cert(port, cert_dir):
    with tls_channel(port, cert_dir) as ch:
        try_call("tls-no-cert", ch)


def scenario_other_ca(port, cert_dir):
    with tls_channel(port, cert_dir, "other-client") as ch:
        try_call("tls-other-ca", ch)


def scenario_plaintext(port, cert_dir):
    """h2c against the TLS port fails cleanly; a TLS client on another connection still works meanwhile."""
    import grpc
    with grpc.insecure_channel(f"127.0.0.1:{port}", options=options()[1:]) as ch:
        try_call("plaintext", ch)
    with tls_channel(port, cert_dir, "client") as ch:
        emit(scenario="tls-after", ok=unary(ch)(b"still serving", timeout=TIMEOUT) == b"still serving")


def handshake_with_alpn(port, cert_dir, protocols):
    context = ssl.create_default_context(cadata=read(cert_dir, "ca.pem").decode())
    context.check_hostname = False
    if protocols:
        context.set_alpn_protocols(protocols)
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    try:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            # TLS 1.3: the server's verdict may arrive after the client's handshake; a read shows it.
            data = tls.recv(1)
            return "closed" if not data else "open"
    except (ssl.SSLError, ConnectionError, OSError) as error:
        return "refused: " + type(error).__name__
    finally:
        raw.close()


def scenario_alpn(port, cert_dir):
    emit(scenario="alpn-http1", status=handshake_with_alpn(port, cert_dir, ["http/1.1"]))
    emit(scenario="alpn-none", status=handshake_with_alpn(port, cert_dir, None))


def scenario_renegotiate(port, cert_dir):
    """A TLS 1.2 client asks to renegotiate (openssl s_client's "R" command); the server must refuse."""
    import subprocess
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-alpn", "h2",
               "-CAfile", os.path.join(cert_dir, "ca.pem"), "-servername", "localhost",
               "-cert", os.path.join(cert_dir, "client.pem"), "-key", os.path.join(cert_dir, "client.key")]
    client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        client.stdin.write(b"R\n")
        client.stdin.flush()
        time.sleep(2)
        client.stdin.close()
        output = client.stdout.read().decode(errors="replace")
    finally:
        client.kill()
        client.wait()
    refused = "no renegotiation" in output.lower()
    emit(scenario="renegotiate", status="refused" if refused else "not refused", details=output[-1500:])


def scenario_silent(port, cert_dir):
    """Connects and says nothing: the handshake timeout must close the connection."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    try:
        emit(scenario="silent", closed=sock.recv(1) == b"")
    except OSError:
        emit(scenario="silent", closed=True)
    finally:
        sock.close()


def scenario_unread_flood(port, cert_dir):
    """Opens every HTTP/2 window wide, starts the Flood stream and then reads nothing at all: only socket
    backpressure (channel writability through the TLS handler) can hold the server's writer back."""
    import h2.config
    import h2.connection
    import h2.settings
    from grpc_client import framed, grpc_headers
    context = ssl.create_default_context(cadata=read(cert_dir, "ca.pem").decode())
    context.set_alpn_protocols(["h2"])
    context.load_cert_chain(os.path.join(cert_dir, "client.pem"), os.path.join(cert_dir, "client.key"))
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock = context.wrap_socket(raw, server_hostname="localhost")
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.local_settings = h2.settings.Settings(
        client=True, initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2**31 - 1})
    conn.initiate_connection()
    conn.increment_flow_control_window(2**31 - 1 - 65535)
    conn.send_headers(1, grpc_headers(PREFIX + "Flood"), end_stream=False)
    conn.send_data(1, framed(b""), end_stream=True)
    sock.sendall(conn.data_to_send())
    time.sleep(2.0)
    emit(scenario="unread-flood", ok=True)
    sock.close()


SCENARIOS = {name[len("scenario_"):]: f for name, f in globals().items() if name.startswith("scenario_")}

if __name__ == "__main__":
    port, cert_dir, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    for name in names:
        SCENARIOS[name](port, cert_dir)
