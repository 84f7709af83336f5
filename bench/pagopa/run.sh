#!/usr/bin/env bash
# paVerifyPaymentNotice (SOAP, POST /pagopa/paForNode) next to a hello-world Go
# handler, in one run: wrk, 2 threads, 64 connections, 10 s each, on loopback,
# the two taking turns for ROUNDS rounds; both servers stop at the end. The
# data directory is seeded once with `portale demo seed` (bench/api/run.sh
# makes the same one: var/bench-1000000 is reused when it exists).
#   FINES=1000000 ROUNDS=3 bench/pagopa/run.sh
# PIN=1 keeps the load generator off the server's core: the servers run on
# CPU 0 with GOMAXPROCS=1 and wrk (one thread) on CPU 1; both targets are
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
go build -o bin/bench-pagopa ./bench/pagopa
server=() load=(wrk -t2)
if [ "${PIN:-}" = 1 ]; then
  server=(env GOMAXPROCS=1 taskset -c 0) load=(taskset -c 1 wrk -t1)
fi
work=$(mktemp -d)
"${server[@]}" bin/bench-pagopa -data "$data" -navs "$work/navs.txt" > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do grep -q ready "$work/server.log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
grep -q ready "$work/server.log" || { cat "$work/server.log"; exit 1; }
cat "$work/server.log"
echo "load before the runs: $(uptime)"

for round in $(seq 1 "$rounds"); do
  echo "== round $round: paVerifyPaymentNotice"
  NAVS="$work/navs.txt" "${load[@]}" -c64 -d"$duration" --latency -s bench/pagopa/verify.lua \
    http://127.0.0.1:18191/pagopa/paForNode | tee "$work/verify-$round.txt"
  # A fault comes with HTTP 200: the server counts the answers that were not OK.
  read -r ok other < <(curl -fsS http://127.0.0.1:18191/bench/outcomes)
  if [ "$other" != 0 ] || [ "$ok" = 0 ] || grep -qE "Non-2xx|Socket errors" "$work/verify-$round.txt"; then
    echo "round $round: $other answers were not outcome OK ($ok were), or wrk saw errors: stopping" >&2
    exit 1
  fi
  echo "== round $round: hello world (same machine, same run)"
  "${load[@]}" -c64 -d"$duration" --latency http://127.0.0.1:18192/ | tee "$work/hello-$round.txt"
  if grep -qE "Non-2xx|Socket errors" "$work/hello-$round.txt"; then
    echo "round $round: hello world answered errors: stopping" >&2
    exit 1
  fi
done
echo "load after the runs: $(uptime)"

# One line per run, then the medians: requests per second and p99.
summary() {
  local name=$1
  for f in "$work/$name"-*.txt; do
    awk -v n="$name" '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
      END {printf "%-7s %10s req/s  p99 %-9s %s\n", n, rps, p99, (bad ? "non-2xx " bad : "")}' "$f"
  done
}
echo "== summary"
summary verify
summary hello
