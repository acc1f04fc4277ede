#!/bin/bash
# usage: h2ab.sh BIN "ARGS1" "ARGS2" ... : one fresh preloaded node per ARGS, h2load GetInvoice 8 s, CPU per call
BIN=$1; shift
for A in "$@"; do
  NODEARGS="$A" $(dirname "$0")/start-preloaded-node.sh $BIN ab > /dev/null 2>&1; . /tmp/rpcperf-prof/ab.env
  sleep 1
  C0=$(awk '{print $14+$15}' /proc/$PID/stat)
  OUT=$(h2load -D 8 --warm-up-time 2 -c 4 -m 64 -d $D/get-invoice.grpc -H 'content-type: application/grpc' -H 'te: trailers' -H 'yibao-org: F46000000001' http://127.0.0.1:$PORT/yibao.v1.InvoiceService/GetInvoice 2>&1)
  C1=$(awk '{print $14+$15}' /proc/$PID/stat)
  RPS=$(echo "$OUT" | sed -n 's/.*finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p')
  OK=$(echo "$OUT" | grep -oE '[0-9]+ succeeded')
  python3 -c "r=$RPS; t=($C1-$C0)/100; print(f'[$A] {r:.0f} req/s, {\"$OK\"}, node {t/10:.2f} cores, {t/(r*10)*1e6 if r else 0:.0f} us CPU/call (CPU over 10 s incl. warm-up / calls over 8 s x 1.25), load $(cut -d' ' -f1 /proc/loadavg)')"
  kill $PID; wait $PID 2>/dev/null; sleep 1; rm -rf $D
done
