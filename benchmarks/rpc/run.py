#!/usr/bin/env python3
"""Runs h2load against each server in turn and writes the JSON result (called by benchmarks/rpc/run).

Output: benchmarks/results/<UTC stamp>-rpc-echo/summary.json (every round's figures, the best per server and the
ratios: committed), and h2load's own output per round in benchmarks/results/raw/<UTC stamp>-rpc-echo/ (git-ignored).
A --quick run writes its summary to the raw folder too: its figures mean nothing.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PATH = "/yibao.test.v1.Echo/Unary"
# A realistic small request: text, bytes, an enum, a nested message, a few repeated values (no maps, so every
# implementation re-encodes it to the same bytes and check_echo.py can compare).
REQUEST_TEXT = ('text: "invoice H46010600001-2026-000042" payload: "0123456789abcdef" kind: ECHO_KIND_PLAIN '
                'nested { label: "settlement" weight: 12345 tags: ["a", "b"] } repeated_int32: [1, 2, 3]')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, limit=60):
    end = time.time() + limit
    while time.time() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not listen")


def loadavg():
    return [float(x) for x in open("/proc/loadavg").read().split()[:3]]


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def h2load(port, body_file, args, log_file, raw_output=None):
    command = ["h2load", "-n", str(args.requests), "-c", str(args.connections), "-m", str(args.streams),
               "-t", str(args.threads), "-d", body_file, "--log-file", log_file,
               "-H", "content-type: application/grpc", "-H", "te: trailers",
               f"http://127.0.0.1:{port}{PATH}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if raw_output:
        with open(raw_output, "w") as f:
            f.write(output)
    succeeded = int(re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", output).group(1))
    statuses = re.search(r"status codes: (\d+) 2xx", output)
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", output).group(1))
    durations = sorted(int(line.split()[2]) for line in open(log_file) if line.strip())
    pick = lambda q: durations[min(len(durations) - 1, int(q * len(durations)))] / 1000.0
    return {"requestsPerSecond": rps, "succeeded": succeeded, "status2xx": int(statuses.group(1)) if statuses else 0,
            "p50Ms": pick(0.50), "p90Ms": pick(0.90), "p99Ms": pick(0.99), "maxMs": durations[-1] / 1000.0,
            "meanMs": statistics.fmean(durations) / 1000.0}


def measure(name, command, port, body_file, request_file, args, raw, grpc=True):
    """grpc=False for nghttpd, which echoes bytes and speaks no gRPC: check_echo.py cannot check it."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        if grpc:
            subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks/rpc/check_echo.py"), str(port), request_file],
                           check=True, capture_output=True)
        with tempfile.NamedTemporaryFile() as log:
            warm = argparse.Namespace(**{**vars(args), "requests": max(1000, args.requests // 10)})
            h2load(port, body_file, warm, log.name)
        rounds = []
        for number in range(1, args.rounds + 1):
            with tempfile.NamedTemporaryFile() as log:
                before_cpu, before_time, before_load = cpu_ticks(process.pid), time.time(), loadavg()
                result = h2load(port, body_file, args, log.name, os.path.join(raw, f"{name}-round-{number}.txt"))
                elapsed = time.time() - before_time
                result["serverCpuCores"] = (cpu_ticks(process.pid) - before_cpu) / os.sysconf("SC_CLK_TCK") / elapsed
                result["loadAverageBefore"] = before_load
                rounds.append(result)
        best = max(rounds, key=lambda r: r["requestsPerSecond"])
        print(f"{name:12} {best['requestsPerSecond']:>10.0f} req/s  p50 {best['p50Ms']:.2f} ms  "
              f"p99 {best['p99Ms']:.2f} ms  server CPU {best['serverCpuCores']:.2f} cores", flush=True)
        return {"name": name, "rounds": rounds, "best": best}
    finally:
        process.terminate()
        process.wait(timeout=30)


def git_commit():
    run = lambda *command: subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = run("status", "--porcelain", "--untracked-files=no")
    return run("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", required=True)
    parser.add_argument("--grpc-swift", help="the peer's binary; without it the run has no grpc-swift-2 column")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-python", action="store_true")
    parser.add_argument("--skip-nghttpd", action="store_true", help="no transport-ceiling column (nghttpd --echo-upload)")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 20_000, 1

    started = datetime.datetime.now(datetime.timezone.utc)
    stamp, suffix = started.strftime("%Y-%m-%dT%H%MZ"), ""
    # Two runs in one minute (a quick one, then the real one) get folders of their own.
    while any(os.path.exists(os.path.join(ROOT, parent, f"{stamp}-rpc-echo{suffix}"))
              for parent in ("benchmarks/results", "benchmarks/results/raw")):
        suffix = f"-{int(suffix[1:] or 1) + 1}"
    folder = f"{stamp}-rpc-echo{suffix}"
    raw = os.path.join(ROOT, "benchmarks/results/raw", folder)  # git-ignored
    os.makedirs(raw, exist_ok=True)
    work = tempfile.mkdtemp(prefix="yibao-rpc-bench-")
    request = subprocess.run(["protoc", f"-I{ROOT}/Protos", "--encode=yibao.test.v1.EchoRequest",
                              "yibao/test/v1/echo.proto"], input=REQUEST_TEXT.encode(), capture_output=True,
                             check=True).stdout
    request_file, body_file = os.path.join(work, "request.bin"), os.path.join(work, "body.bin")
    open(request_file, "wb").write(request)
    open(body_file, "wb").write(struct.pack(">BI", 0, len(request)) + request)

    servers = []
    port = free_port()
    servers.append(measure("yibao", [args.ours, str(port)], port, body_file, request_file, args, raw))
    if args.grpc_swift:
        port = free_port()
        servers.append(measure("grpc-swift-2", [args.grpc_swift, str(port)], port, body_file, request_file, args, raw))
    nghttpd = shutil.which("nghttpd") or shutil.which("nghttpd", path="/usr/sbin")
    if not args.skip_nghttpd and nghttpd:
        # The transport ceiling: nghttp2's own server (the library under our RPC layer) answers every POST with the
        # bytes an echo server sends (the framed EchoResponse, from a file) and a grpc-status trailer, decoding
        # nothing: HTTP/2 framing and socket I/O only. (--echo-upload would spool each body through a temporary file.)
        response = subprocess.run(["protoc", f"-I{ROOT}/Protos", "--encode=yibao.test.v1.EchoResponse",
                                   "yibao/test/v1/echo.proto"], input=f"echoed {{ {REQUEST_TEXT} }}".encode(),
                                  capture_output=True, check=True).stdout
        docroot = os.path.join(work, "nghttpd")
        os.makedirs(os.path.join(docroot, os.path.dirname(PATH.lstrip("/"))))
        open(os.path.join(docroot, PATH.lstrip("/")), "wb").write(struct.pack(">BI", 0, len(response)) + response)
        port = free_port()
        servers.append(measure("nghttpd", [nghttpd, "--no-tls", "--trailer", "grpc-status: 0", "-d", docroot, str(port)],
                               port, body_file, request_file, args, raw, grpc=False))
    elif not args.skip_nghttpd:
        print("nghttpd not found (Debian package nghttp2-server, installed by scripts/bootstrap): no ceiling column")
    if not args.skip_python:
        port = free_port()
        servers.append(measure("grpcio-python", [sys.executable, os.path.join(ROOT, "benchmarks/rpc/grpcio_echo_server.py"),
                                                 str(port), os.path.join(ROOT, "Protos")], port, body_file, request_file, args, raw))
    by_name = {s["name"]: s["best"] for s in servers}
    ratios = {}
    for other in ["grpc-swift-2", "grpcio-python", "nghttpd"]:
        if other in by_name:
            ratios[other] = {"throughputOursOverTheirs": by_name["yibao"]["requestsPerSecond"] / by_name[other]["requestsPerSecond"],
                             "p99OursOverTheirs": by_name["yibao"]["p99Ms"] / by_name[other]["p99Ms"]}
            print(f"yibao / {other}: throughput {ratios[other]['throughputOursOverTheirs']:.2f}x, "
                  f"p99 {ratios[other]['p99OursOverTheirs']:.2f}", flush=True)
    result = {
        "benchmark": "rpc-unary-echo",
        "time": started.strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": git_commit(), "quick": args.quick,
        "h2load": {"requests": args.requests, "connections": args.connections, "streamsPerConnection": args.streams,
                   "threads": args.threads, "rounds": args.rounds, "requestBytes": len(request)},
        "machine": {"cores": os.cpu_count(), "loadAverageAtEnd": loadavg()},
        "servers": servers, "ratios": ratios,
    }
    out_dir = raw if args.quick else os.path.join(ROOT, "benchmarks/results", folder)
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "summary.json")
    json.dump(result, open(out, "w"), indent=2)
    print("wrote", os.path.relpath(out, ROOT), "; h2load output in", os.path.relpath(raw, ROOT) + "/ (git-ignored)")


if __name__ == "__main__":
    main()
