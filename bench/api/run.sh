#!/usr/bin/env bash
# GET /api/v1/me/estratto-conto next to a hello-world Go handler, in one run:
# wrk, 2 threads, 64 connections, 10 s each, on loopback; both servers stop at
# the end. The data directory is seeded once with `portale demo seed`.
#   FINES=1000000 bench/api/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
fines=${FINES:-1000000}
data=${DATA:-var/bench-$fines}
duration=${DURATION:-10s}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

make -s build
if [ ! -f "$data/.seeded" ]; then
  bin/portale demo seed --data "$data" --fines "$fines"
  touch "$data/.seeded"
fi
go build -o bin/bench-api ./bench/api
cookie=$(mktemp)
bin/bench-api -db "$data/portale.db" -cookie "$cookie" > "$cookie.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$cookie" "$cookie.log"' EXIT
for _ in $(seq 1 100); do grep -q ready "$cookie.log" && break; sleep 0.1; done
grep -q ready "$cookie.log" || { cat "$cookie.log"; exit 1; }

echo "== statement (GET /api/v1/me/estratto-conto, $fines fines in the database)"
curl -sf -H "Cookie: $(cat "$cookie")" http://127.0.0.1:18181/api/v1/me/estratto-conto | head -c 300; echo
wrk -t2 -c64 -d"$duration" --latency -H "Cookie: $(cat "$cookie")" http://127.0.0.1:18181/api/v1/me/estratto-conto
echo "== hello world (same machine, same run)"
wrk -t2 -c64 -d"$duration" --latency http://127.0.0.1:18182/
