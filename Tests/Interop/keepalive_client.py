#!/usr/bin/env python3
"""Keepalive against a Yibao server, over raw HTTP/2 (python-hyper h2), printing one JSON object per result.

Usage: keepalive_client.py PORT SCENARIO
  silent      sends the preface, then reads and never writes again (so never ACKs a PING): expects the server
              to PING and then close the connection.
  answering   answers everything (h2 ACKs PINGs by itself): after 3 server PINGs the connection still serves a call.
  flood       sends PINGs back to back: expects GOAWAY ENHANCE_YOUR_CALM "too_many_pings", then the close.
  tolerated   sends as many PINGs as the strikes allow, then a call that succeeds with no GOAWAY.
"""
import json
import socket
import struct
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions

PATH = "/yibao.test.v1.Echo/Unary"


def emit(**fields):
    print(json.dumps(fields), flush=True)


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn


def events_until_closed(sock, conn, answer, limit_frames=10_000):
    """Reads until the server closes; returns (events, closed)."""
    seen = []
    try:
        while len(seen) < limit_frames:
            data = sock.recv(65536)
            if not data:
                return seen, True
            try:
                seen += conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                pass  # h2 refuses frames after a GOAWAY; only the close is left to see
            if answer:
                sock.sendall(conn.data_to_send())  # h2 queued the ACKs of the server's PINGs
    except (ConnectionResetError, BrokenPipeError):
        return seen, True
    except socket.timeout:
        return seen, False
    return seen, False


def unary(sock, conn, stream_id, body):
    conn.send_headers(stream_id, [(":method", "POST"), (":scheme", "http"), (":path", PATH),
                                  (":authority", "127.0.0.1"), ("content-type", "application/grpc"),
                                  ("te", "trailers")])
    conn.send_data(stream_id, struct.pack(">BI", 0, len(body)) + body, end_stream=True)
    sock.sendall(conn.data_to_send())
    status, goaway = None, False
    while status is None:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.TrailersReceived) and event.stream_id == stream_id:
                status = dict(event.headers).get("grpc-status")
            elif isinstance(event, h2.events.ConnectionTerminated):
                goaway = True
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        sock.sendall(conn.data_to_send())
    return status, goaway


def main():
    port, scenario = int(sys.argv[1]), sys.argv[2]
    sock, conn = connect(port)
    if scenario == "silent":
        events, closed = events_until_closed(sock, conn, answer=False)
        pings = sum(1 for e in events if isinstance(e, h2.events.PingReceived))
        emit(scenario="silent", count=pings, closed=closed)
    elif scenario == "answering":
        pings = 0
        while pings < 3:
            data = sock.recv(65536)
            if not data:
                break
            pings += sum(1 for e in conn.receive_data(data) if isinstance(e, h2.events.PingReceived))
            sock.sendall(conn.data_to_send())
        status, goaway = unary(sock, conn, 1, b"still here")
        emit(scenario="answering", count=pings, grpc_status=status, goaway=goaway)
    elif scenario in ("flood", "tolerated"):
        count = int(sys.argv[3])
        for i in range(count):
            conn.ping(struct.pack(">Q", i))
        sock.sendall(conn.data_to_send())
        if scenario == "flood":
            events, closed = events_until_closed(sock, conn, answer=True)
            goaways = [e for e in events if isinstance(e, h2.events.ConnectionTerminated)]
            acks = sum(1 for e in events if isinstance(e, h2.events.PingAckReceived))
            emit(scenario="flood", closed=closed, goaway=bool(goaways), count=acks,
                 code=int(goaways[0].error_code) if goaways else None,
                 details=goaways[0].additional_data.decode() if goaways and goaways[0].additional_data else "")
        else:
            status, goaway = unary(sock, conn, 1, b"calm")
            emit(scenario="tolerated", grpc_status=status, goaway=goaway)
    sock.close()


if __name__ == "__main__":
    main()
