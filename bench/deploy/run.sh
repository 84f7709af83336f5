#!/usr/bin/env bash
# Deploy server vs nginx, side by side, on loopback only.
#
#   bench/deploy/run.sh [seconds-per-run] [rounds]      (defaults 10 and 3)
#
# Needs nginx and wrk (apt-get install -y nginx wrk). Builds bench/deploy,
# writes the benchmark site, serves it with nginx (2 workers, sendfile) and
# with the deploy Server, runs wrk -t2 -c64 against each in turn on an HTML
# page and a CSS asset, without and with Accept-Encoding: gzip, then times a
# deploy of a 5,000-page site where one page changed. The two servers take
# turns, run after run, for several rounds, and each cell reports the median:
# on a shared machine a single run measures the neighbours as much as the
# server. Results go to stdout and to bench/deploy/results.txt. Both servers
# stop by themselves.
set -euo pipefail

DUR="${1:-10}"
ROUNDS="${2:-3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/bench/deploy/results.txt"
NGINX_PORT=18081
GO_PORT=18082
FS_PORT=18083
FLOOR_PORT=18084
WORK="$(mktemp -d)"
NGINX_PID=""
GO_PID=""
FS_PID=""
FLOOR_PID=""

cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
	[ -n "$GO_PID" ] && kill "$GO_PID" 2>/dev/null || true
	[ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null || true
	[ -n "$FLOOR_PID" ] && kill "$FLOOR_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

cd "$ROOT"
go build -o "$WORK/deploybench" ./bench/deploy
"$WORK/deploybench" gensite -out "$WORK/site"

# nginx gets the same files plus precompressed .gz copies for gzip_static,
# the equivalent of the variants the deploy store makes at deploy time.
cp -r "$WORK/site" "$WORK/nginx-root"
find "$WORK/nginx-root" \( -name '*.html' -o -name '*.css' \) -exec gzip -k -9 {} \;

cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 10000000;
	gzip_static on;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $WORK/nginx-root;
		# The same headers the deploy server sends, so both write as much.
		add_header Cache-Control "public, max-age=0, must-revalidate";
		add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
		add_header X-Content-Type-Options nosniff;
		add_header X-Frame-Options SAMEORIGIN;
		add_header Referrer-Policy strict-origin-when-cross-origin;
		add_header Permissions-Policy "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), browsing-topics=()";
	}
}
EOF

# Each server lives only as long as the runs need, plus a margin.
LIFETIME=$((DUR * 14 * ROUNDS + 60))
timeout "$LIFETIME" nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
"$WORK/deploybench" serve -src "$WORK/site" -data "$WORK/data" -addr "127.0.0.1:$GO_PORT" -for "${LIFETIME}s" &
GO_PID=$!
"$WORK/deploybench" fileserver -src "$WORK/site" -addr "127.0.0.1:$FS_PORT" -for "${LIFETIME}s" &
FS_PID=$!
"$WORK/deploybench" floor -src "$WORK/site" -addr "127.0.0.1:$FLOOR_PORT" -for "${LIFETIME}s" &
FLOOR_PID=$!

for port in $NGINX_PORT $GO_PORT $FS_PORT $FLOOR_PORT; do
	for _ in $(seq 50); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
		sleep 0.2
	done
done

rps() { awk '/Requests\/sec/ {print $2}'; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

LOAD="$(cut -d" " -f1-3 /proc/loadavg)"
declare -A runs
targets=("html:/pagine/7/" "css:/css/main.5d41402abc4b2a76.css")
for round in $(seq "$ROUNDS"); do
	for target in "${targets[@]}"; do
		path="${target#*:}"
		for enc in identity gzip; do
			hdr=()
			[ "$enc" = gzip ] && hdr=(-H "Accept-Encoding: gzip")
			key="${target%%:*} ($enc)"
			runs["$key nginx"]+="$(wrk -t2 -c64 -d"${DUR}s" "${hdr[@]}" "http://127.0.0.1:$NGINX_PORT$path" | rps) "
			runs["$key deploy"]+="$(wrk -t2 -c64 -d"${DUR}s" "${hdr[@]}" "http://127.0.0.1:$GO_PORT$path" | rps) "
			if [ "$enc" = identity ]; then
				runs["$key fileserver"]+="$(wrk -t2 -c64 -d"${DUR}s" "http://127.0.0.1:$FS_PORT$path" | rps) "
				runs["$key floor"]+="$(wrk -t2 -c64 -d"${DUR}s" "http://127.0.0.1:$FLOOR_PORT$path" | rps) "
			fi
			echo "round $round, $key: nginx ${runs["$key nginx"]}| deploy ${runs["$key deploy"]}| FileServer ${runs["$key fileserver"]:-}| floor ${runs["$key floor"]:-}" >&2
		done
	done
done

{
	echo "# Deploy server vs nginx — $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# load average before the runs: $LOAD"
	echo "# $(nproc) CPUs; $(nginx -v 2>&1); $(go version | cut -d' ' -f3); wrk -t2 -c64 -d${DUR}s, loopback"
	echo "# requests per second, median of $ROUNDS rounds; ratio = server / nginx"
	printf "%-17s %9s %9s %6s %11s %6s %9s %6s\n" "target" "nginx" "deploy" "ratio" "FileServer" "ratio" "floor" "ratio"
	for target in "${targets[@]}"; do
		for enc in identity gzip; do
			key="${target%%:*} ($enc)"
			n=$(tr ' ' '\n' <<<"${runs["$key nginx"]}" | grep . | median)
			line=$(printf "%-17s %9.0f" "$key" "$n")
			for server in deploy fileserver floor; do
				v=$(tr ' ' '\n' <<<"${runs["$key $server"]:-}" | grep . | median || true)
				if [ -n "$v" ]; then
					line+=$(printf " %*.0f %6.2f" "$([ $server = fileserver ] && echo 11 || echo 9)" "$v" "$(awk -v n="$n" -v v="$v" 'BEGIN {print v / n}')")
				else
					line+=$(printf " %*s %6s" "$([ $server = fileserver ] && echo 11 || echo 9)" "-" "-")
				fi
			done
			echo "$line"
		done
	done
	echo
	echo "# Every run, requests per second, in order"
	for key in "${!runs[@]}"; do
		echo "$key: ${runs[$key]}"
	done | sort
	echo
	echo "# Incremental deploy"
	"$WORK/deploybench" incremental -pages 5000
} | tee "$OUT"
