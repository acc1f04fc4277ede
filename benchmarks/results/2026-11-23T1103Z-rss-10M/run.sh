#!/bin/bash
# usage (repo root, run-suite's release build): benchmarks/results/2026-11-23T1103Z-rss-10M/run.sh
# 10M records (5M visits: invoice + settlement) into one fresh node; RssAnon sampled every 20 s
BIN=${BIN:-.build-rel/release}
D=${D:-/work/rss10m}; rm -rf $D; mkdir -p $D
REG=$($BIN/yibao-load orgs --out $D/orgs --hospitals 300)
$BIN/yibao-bench-node --data $D/data --registry $REG > $D/node.out 2>&1 &
NODE=$!
for i in $(seq 100); do grep -q listening $D/node.out 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/listening/{print $2}' $D/node.out)
( while kill -0 $NODE 2>/dev/null; do echo "$(date +%T) $(grep -E 'RssAnon|VmHWM' /proc/$NODE/status | tr -s ' \n' ' ') store $(du -sm $D/data | cut -f1) MiB"; sleep 20; done ) > $D/rss.log &
$BIN/yibao-load hospital-feed --target 127.0.0.1:$PORT --server-pid $NODE --batch 1000 --concurrency 8 --connections 2 --operations 10000 --warmup 0 --duration 86400 --json $D/report.json > $D/load.out 2>&1
grep -E 'RssAnon' /proc/$NODE/status > $D/final-status.txt
kill -TERM $NODE; wait $NODE
echo done >> $D/rss.log
