# yibao-domain-bench at 10 million invoices, 2026-11-23 12:47-14:15 UTC, binary built from 9959d8a
# (the domain code is unchanged since), release scratch .build-dbench, data under /work, machine shared (see README)
nice -n 5 .build-dbench/release/yibao-domain-bench --invoices 10000000 --concurrency 16 --dir /work/sw/dom10m
