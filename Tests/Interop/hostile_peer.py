#!/usr/bin/env python3
"""Hostile peers at the transport, over raw sockets and python-hyper h2's frame encoder. Runs until killed
(the Swift test measures the node meanwhile); prints one JSON line per milestone.

Usage: hostile_peer.py PORT SCENARIO ARGS...
  stall CONNECTIONS STREAMS PATH ORG
      each connection: preface + SETTINGS (INITIAL_WINDOW_SIZE 0), the ACK of the server's SETTINGS, then STREAMS
      calls of the server-streaming PATH with an empty request message and `yibao-org: ORG`; the socket is never
      read again. Prints {"scenario": "stall", "ready": true, "connections": n} once every call is sent.
  idle CONNECTIONS SOURCES
      CONNECTIONS TCP connections that send nothing, spread over the source addresses 127.0.0.2 .. 127.0.0.(1+SOURCES).
      Prints {"scenario": "idle", "ready": true, ...}, then {"scenario": "idle", "closed": true, "after": seconds}
      for each connection the server closes.
  slowloris CONNECTIONS SOURCES INTERVAL
      as idle, but each connection trickles the client preface, one byte every INTERVAL seconds, and every
      connection the server closes is opened again (after a 0.2 s pause per burst of closes).
"""
import json
import selectors
import socket
import sys
import time

import h2.config
import h2.connection
import h2.settings

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS_ACK = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"


def emit(**fields):
    print(json.dumps(fields), flush=True)


def stall(port, connections, streams, path, org):
    held = []
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        # A tiny receive buffer: what the server sends piles up on its side, not in our kernel.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        conn.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0, h2.settings.SettingCodes.ENABLE_PUSH: 0})
        conn.initiate_connection()
        out = conn.data_to_send() + SETTINGS_ACK
        for index in range(streams):
            stream_id = 1 + 2 * index
            conn.send_headers(stream_id, [(":method", "POST"), (":scheme", "http"), (":path", path),
                                          (":authority", "127.0.0.1"), ("content-type", "application/grpc"),
                                          ("te", "trailers"), ("yibao-org", org)])
            conn.send_data(stream_id, b"\x00\x00\x00\x00\x00", end_stream=True)  # an empty request message
            out += conn.data_to_send()
        sock.sendall(out)
        held.append(sock)
    emit(scenario="stall", ready=True, connections=len(held))
    while True:
        time.sleep(3600)


def open_from(port, source):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.setblocking(False)
    try:
        sock.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return sock


def hold(port, connections, sources, interval):
    """Keeps CONNECTIONS sockets open; with an interval, trickles the preface and reopens closed sockets."""
    selector = selectors.DefaultSelector()
    addresses = ["127.0.0.%d" % (2 + i % sources) for i in range(connections)]
    name = "slowloris" if interval else "idle"
    sent = {}
    opened = {}
    for address in addresses:
        sock = open_from(port, address)
        selector.register(sock, selectors.EVENT_READ, address)
        sent[sock] = 0
        opened[sock] = time.monotonic()
    emit(scenario=name, ready=True, connections=connections)
    next_trickle = time.monotonic() + (interval or 3600)
    while True:
        timeout = max(0.0, next_trickle - time.monotonic())
        ready = selector.select(timeout=min(timeout, 1.0))
        if ready:
            time.sleep(0.2)  # a pause per burst of closes: the attack is holding slots, not flooding accept
        for key, _ in ready:
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:  # reset by the server
                data = b""
            if data == b"":
                emit(scenario=name, closed=True, after=round(time.monotonic() - opened.pop(sock), 3))
                selector.unregister(sock)
                sent.pop(sock, None)
                sock.close()
                if not interval:
                    continue
                fresh = open_from(port, key.data)
                selector.register(fresh, selectors.EVENT_READ, key.data)
                sent[fresh] = 0
                opened[fresh] = time.monotonic()
        if interval and time.monotonic() >= next_trickle:
            next_trickle = time.monotonic() + interval
            for sock in list(sent):
                if sent[sock] < len(PREFACE):
                    try:
                        sock.send(PREFACE[sent[sock]:sent[sock] + 1])
                        sent[sock] += 1
                    except (BlockingIOError, OSError):
                        pass


def main():
    port, scenario, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if scenario == "stall":
        stall(port, int(args[0]), int(args[1]), args[2], args[3])
    elif scenario == "idle":
        hold(port, int(args[0]), int(args[1]), None)
    elif scenario == "slowloris":
        hold(port, int(args[0]), int(args[1]), float(args[2]))
    else:
        sys.exit("unknown scenario " + scenario)


if __name__ == "__main__":
    main()
