#!/bin/bash
# usage: start-preloaded-node.sh BIN_DIR NAME  -> starts a node with preloaded 20k visits; prints pid and port into /tmp/rpcperf-prof/NAME.env
set -e
mkdir -p /tmp/rpcperf-prof
BIN=$1; NAME=$2; D=/work/rpcperf-scratch-$NAME
rm -rf $D; mkdir -p $D
REG=$($BIN/yibao-load orgs --out $D/orgs --hospitals 300)
$BIN/yibao-bench-node --data $D/data --registry $REG $NODEARGS > $D/node.out 2> $D/node.err &
PID=$!
for i in $(seq 1 100); do grep -q listening $D/node.out && break; sleep 0.2; done
PORT=$(sed -n 's/listening \([0-9]*\).*/\1/p' $D/node.out)
echo "PID=$PID PORT=$PORT D=$D" > /tmp/rpcperf-prof/$NAME.env
$BIN/yibao-load get-invoice --target 127.0.0.1:$PORT --visits 20000 --concurrency 64 --connections 2 --warmup 1 --duration 3 --quiet > /dev/null 2>&1
$BIN/yibao-load grpc-frame --out $D/get-invoice.grpc --visit 0
echo started
cat /tmp/rpcperf-prof/$NAME.env
