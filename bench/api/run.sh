#!/usr/bin/env bash
# GET /api/v1/me/estratto-conto next to a hello-world Go handler, in one run:
# wrk, 64 connections, 10 s each, on loopback, the two taking turns for ROUNDS
# rounds; both servers stop at the end. The data directory is seeded once
# with `portale demo seed`.
#   FINES=1000000 ROUNDS=3 bench/api/run.sh
# PIN=1 keeps the load generator off the server's core: the servers run on
# CPU 0 with GOMAXPROCS=1 and wrk (one thread) on CPU 1, so that on a
# two-core machine the two do not preempt each other; both targets are
# measured the same way.
set -euo pipefail
cd "$(dirname "$0")/../.."
fines=${FINES:-1000000}
data=${DATA:-var/bench-$fines}
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

make -s build
if [ ! -f "$data/.seeded" ]; then
  bin/portale demo seed --data "$data" --fines "$fines"
  touch "$data/.seeded"
fi
go build -o bin/bench-api ./bench/api
server=() load=(wrk -t2)
if [ "${PIN:-}" = 1 ]; then
  server=(env GOMAXPROCS=1 taskset -c 0) load=(taskset -c 1 wrk -t1)
fi
work=$(mktemp -d)
"${server[@]}" bin/bench-api -db "$data/portale.db" -cookie "$work/cookie" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q ready "$work/server.log" && break; sleep 0.1; done
grep -q ready "$work/server.log" || { cat "$work/server.log"; exit 1; }
cookie=$(cat "$work/cookie")
echo "load before the runs: $(uptime)"
curl -sf -H "Cookie: $cookie" http://127.0.0.1:18181/api/v1/me/estratto-conto | head -c 300; echo

# A run counts only if every request was answered 2xx/3xx in time: wrk leaves
# failed answers and socket errors (timeouts too) out of its latency figures.
check() {
  local bad
  bad=$(awk '/^ *(Non-2xx or 3xx responses|Socket errors):/ {sub(/^ +/, ""); printf "%s%s", sep, $0; sep = "; "}' "$2")
  [ -z "$bad" ] || { echo "$1: wrk reported $bad; stopping" >&2; exit 1; }
}
for round in $(seq 1 "$rounds"); do
  echo "== round $round: statement (GET /api/v1/me/estratto-conto, $fines fines in the database)"
  "${load[@]}" -c64 -d"$duration" --latency -H "Cookie: $cookie" http://127.0.0.1:18181/api/v1/me/estratto-conto | tee "$work/statement-$round.txt"
  check "round $round statement" "$work/statement-$round.txt"
  echo "== round $round: hello world (same machine, same run)"
  "${load[@]}" -c64 -d"$duration" --latency http://127.0.0.1:18182/ | tee "$work/hello-$round.txt"
  check "round $round hello" "$work/hello-$round.txt"
done
echo "load after the runs: $(uptime)"

summary() {
  local name=$1
  for f in "$work/$name"-*.txt; do
    awk -v n="$name" '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "%-9s %10s req/s  p99 %-9s %s\n", n, rps, p99, (bad ? "non-2xx " bad : "")}' "$f"
  done
}
echo "== summary"
summary statement
summary hello
