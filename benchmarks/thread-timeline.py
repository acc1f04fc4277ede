#!/usr/bin/env python3
"""Runs a command (a benchmark) and prints, every 0.1 s, the cores its threads used and what the disk did.

    benchmarks/thread-timeline.py .build-dbench/release/yibao-domain-bench --invoices 200000 --concurrency 300

Columns: cores used by the whole process (`tot`), by the writer thread (`wr`, named yibao-writer), the committer
(`cm`, yibao-committer) and every other thread (`other`: admission on the callers' threads, and the signer); then
the MB written to the disk and the milliseconds it was busy in the interval (/proc/diskstats of DISK, default vda).
The command's own output goes to the file named by TIMELINE_OUT (default /tmp/timeline-command.out).
Read it for the shape, not for exact figures: the kernel counts CPU time in ticks of 10 ms, so a 0.1 s interval
is accurate to about 0.1 core.
"""
import collections
import os
import subprocess
import sys
import time

INTERVAL = 0.1
DISK = os.environ.get("DISK", "vda")


def thread_ticks(pid):
    """Ticks of user + system time per (thread id, thread name)."""
    ticks = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return ticks
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[(tid, name)] = int(fields[11]) + int(fields[12])
    return ticks


def disk_counters():
    """Sectors written and milliseconds spent doing I/O, for DISK."""
    with open("/proc/diskstats") as f:
        for line in f:
            fields = line.split()
            if fields[2] == DISK:
                return int(fields[9]), int(fields[12])
    return 0, 0


def role(thread_name):
    for key in ("writer", "committer"):
        if key in thread_name:
            return key
    return "other"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    hz = os.sysconf("SC_CLK_TCK")
    with open(os.environ.get("TIMELINE_OUT", "/tmp/timeline-command.out"), "w") as out:
        child = subprocess.Popen(sys.argv[1:], stdout=out, stderr=subprocess.DEVNULL)
        start = time.time()
        previous, previous_disk = {}, disk_counters()
        while child.poll() is None:
            time.sleep(INTERVAL)
            ticks = thread_ticks(child.pid)
            used = collections.Counter()
            for thread, total in ticks.items():
                # A thread first seen now started within the interval: count all of its time.
                used[role(thread[1])] += total - previous.get(thread, 0)
            previous = ticks
            disk = disk_counters()
            written_mb = (disk[0] - previous_disk[0]) * 512 / 1e6
            busy_ms = disk[1] - previous_disk[1]
            previous_disk = disk
            cores = {k: v / hz / INTERVAL for k, v in used.items()}
            print(f"{time.time() - start:5.1f} tot {sum(cores.values()):4.2f} wr {cores.get('writer', 0):4.2f} "
                  f"cm {cores.get('committer', 0):4.2f} other {cores.get('other', 0):4.2f}  "
                  f"disk {written_mb:6.1f}MB io {busy_ms}ms", flush=True)
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
