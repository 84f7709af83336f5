#!/usr/bin/env bash
# Deploy server vs nginx, side by side, on loopback only.
#
#   bench/deploy/run.sh [seconds-per-run] [rounds]      (defaults 10 and 3)
#
# Needs nginx and wrk (apt-get install -y nginx wrk). Builds bench/deploy,
# writes the benchmark site, serves it with nginx (2 workers, sendfile), with
# the deploy Server through its fast path (deploy.FastServer) and through
# net/http alone, with net/http's FileServer and with the cheapest net/http
# handler (the floor), runs wrk -t2 -c64 against each in turn on an HTML
# page and a CSS asset, without and with Accept-Encoding: gzip, counting the
# requests per second and the CPU time each server spends per request, then
# times a deploy of a 5,000-page site where one page changed. The servers
# take turns, run after run, for several rounds, and each cell reports the
# median: on a shared machine a single run measures the neighbours as much
# as the server. Results go to stdout and to bench/deploy/results.txt. The
# servers stop by themselves.
#
# PIN=1 puts the servers on CPU 0 (Go with GOMAXPROCS=1) and wrk on CPU 1,
# so that neither preempts the other (results in results-pinned.txt); ONLY=css (or html, identity, gzip)
# keeps only the cells whose name contains it.
set -euo pipefail

DUR="${1:-10}"
ROUNDS="${2:-3}"
PIN="${PIN:-0}"
ONLY="${ONLY:-}"
SRV=()
CLI=()
if [ "$PIN" = 1 ]; then
	command -v taskset >/dev/null || { echo "taskset is missing: apt-get install -y util-linux" >&2; exit 1; }
	SRV=(taskset -c 0)
	CLI=(taskset -c 1)
	export GOMAXPROCS=1
fi
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/bench/deploy/results.txt"
[ "${PIN:-0}" = 1 ] && OUT="$ROOT/bench/deploy/results-pinned.txt"
NGINX_PORT=18081
GO_PORT=18082
FS_PORT=18083
FLOOR_PORT=18084
NETHTTP_PORT=18085
WORK="$(mktemp -d)"
# mktemp makes the folder 0700: nginx's workers, which run as www-data,
# could not read the site and would answer 403 to every request.
chmod 755 "$WORK"
NGINX_PID=""
GO_PID=""
FS_PID=""
FLOOR_PID=""
NETHTTP_PID=""

cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
	[ -n "$GO_PID" ] && kill "$GO_PID" 2>/dev/null || true
	[ -n "$FS_PID" ] && kill "$FS_PID" 2>/dev/null || true
	[ -n "$FLOOR_PID" ] && kill "$FLOOR_PID" 2>/dev/null || true
	[ -n "$NETHTTP_PID" ] && kill "$NETHTTP_PID" 2>/dev/null || true
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
LIFETIME=$((DUR * 18 * ROUNDS + 60))
timeout "$LIFETIME" "${SRV[@]}" nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
"${SRV[@]}" "$WORK/deploybench" serve -src "$WORK/site" -data "$WORK/data" -addr "127.0.0.1:$GO_PORT" -for "${LIFETIME}s" &
GO_PID=$!
"${SRV[@]}" "$WORK/deploybench" serve -fast=false -src "$WORK/site" -data "$WORK/data-nethttp" -addr "127.0.0.1:$NETHTTP_PORT" -for "${LIFETIME}s" &
NETHTTP_PID=$!
"${SRV[@]}" "$WORK/deploybench" fileserver -src "$WORK/site" -addr "127.0.0.1:$FS_PORT" -for "${LIFETIME}s" &
FS_PID=$!
"${SRV[@]}" "$WORK/deploybench" floor -src "$WORK/site" -addr "127.0.0.1:$FLOOR_PORT" -for "${LIFETIME}s" &
FLOOR_PID=$!

for port in $NGINX_PORT $GO_PORT $NETHTTP_PORT $FS_PORT $FLOOR_PORT; do
	for _ in $(seq 50); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
		sleep 0.2
	done
done

# Every server must answer every target with the file itself, and nginx
# and the deploy servers with its gzip variant when asked: a benchmark of
# an error page measures nothing.
check() {
	local port=$1 path=$2 file=$3 got="$WORK/check"
	if ! curl -fsS -o "$got" "http://127.0.0.1:$port$path" || ! cmp -s "$got" "$file"; then
		echo "port $port does not serve $path as $file: stopping" >&2
		exit 1
	fi
	if [ "${4:-}" = gzip ] && ! curl -fsS -H "Accept-Encoding: gzip" "http://127.0.0.1:$port$path" | gunzip | cmp -s - "$file"; then
		echo "port $port does not serve $path gzip-compressed: stopping" >&2
		exit 1
	fi
}
for port in $NGINX_PORT $GO_PORT $NETHTTP_PORT $FS_PORT $FLOOR_PORT; do
	gz=""
	case $port in $NGINX_PORT | $GO_PORT | $NETHTTP_PORT) gz=gzip ;; esac
	check "$port" /pagine/7/ "$WORK/site/pagine/7/index.html" $gz
	check "$port" /css/main.5d41402abc4b2a76.css "$WORK/site/css/main.5d41402abc4b2a76.css" $gz
done

# The server processes whose CPU time is counted: nginx's master and workers
# (children of the timeout wrapper), each Go server itself.
NGINX_PIDS=("$(pgrep -P "$NGINX_PID")")
NGINX_PIDS+=($(pgrep -P "${NGINX_PIDS[0]}"))
declare -A pids=([nginx]="${NGINX_PIDS[*]}" [deploy]=$GO_PID [nethttp]=$NETHTTP_PID [fileserver]=$FS_PID [floor]=$FLOOR_PID)
declare -A ports=([nginx]=$NGINX_PORT [deploy]=$GO_PORT [nethttp]=$NETHTTP_PORT [fileserver]=$FS_PORT [floor]=$FLOOR_PORT)
HZ=$(getconf CLK_TCK)

# cputicks PID... prints the CPU time (user + system, in clock ticks) the
# processes have used so far.
cputicks() {
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$t"
}

# measure SERVER PATH [wrk header flags] runs wrk against SERVER and prints
# its requests per second and the server's CPU time per request in µs. The
# CPU time per request hardly depends on what else the machine runs; the
# requests per second do.
measure() {
	local server=$1 path=$2 before after out
	shift 2
	before=$(cputicks ${pids[$server]})
	out=$("${CLI[@]}" wrk -t2 -c64 -d"${DUR}s" "$@" "http://127.0.0.1:${ports[$server]}$path")
	after=$(cputicks ${pids[$server]})
	if grep -q "Non-2xx" <<<"$out"; then
		echo "$server answered $path with errors: stopping" >&2
		echo "$out" >&2
		exit 1
	fi
	awk -v t=$((after - before)) -v hz="$HZ" '
		/requests in/ {n = $1}
		/Requests\/sec/ {rps = $2}
		END {printf "%.0f %.1f\n", rps, t / hz * 1e6 / n}' <<<"$out"
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

LOAD="$(cut -d" " -f1-3 /proc/loadavg)"
declare -A runs cpu
targets=("html:/pagine/7/" "css:/css/main.5d41402abc4b2a76.css")
for round in $(seq "$ROUNDS"); do
	for target in "${targets[@]}"; do
		path="${target#*:}"
		for enc in identity gzip; do
			hdr=()
			servers=(nginx deploy nethttp fileserver floor)
			if [ "$enc" = gzip ]; then
				hdr=(-H "Accept-Encoding: gzip")
				servers=(nginx deploy nethttp) # the baselines cannot compress
			fi
			key="${target%%:*} ($enc)"
			[[ "$key" == *"$ONLY"* ]] || continue
			for server in "${servers[@]}"; do
				read -r r c < <(measure "$server" "$path" "${hdr[@]}")
				runs["$key $server"]+="$r "
				cpu["$key $server"]+="$c "
			done
			echo "round $round, $key: nginx ${runs["$key nginx"]}| deploy ${runs["$key deploy"]}| net/http ${runs["$key nethttp"]}| FileServer ${runs["$key fileserver"]:-}| floor ${runs["$key floor"]:-}" >&2
		done
	done
done

# table NAME RATIO DECIMALS prints the medians of runs or cpu, with each
# server's ratio to nginx: RATIO is "server/nginx" or "nginx/server".
table() {
	local -n values=$1
	local ratio=$2 d=$3 key n line server width v
	printf "%-17s %9s %9s %6s %11s %6s %11s %6s %9s %6s\n" "target" "nginx" "deploy" "ratio" "net/http" "ratio" "FileServer" "ratio" "floor" "ratio"
	for target in "${targets[@]}"; do
		for enc in identity gzip; do
			key="${target%%:*} ($enc)"
			[[ "$key" == *"$ONLY"* ]] || continue
			n=$(tr ' ' '\n' <<<"${values["$key nginx"]}" | grep . | median)
			line=$(printf "%-17s %9.*f" "$key" "$d" "$n")
			for server in deploy nethttp fileserver floor; do
				width=9
				case $server in nethttp | fileserver) width=11 ;; esac
				v=$(tr ' ' '\n' <<<"${values["$key $server"]:-}" | grep . | median || true)
				if [ -n "$v" ]; then
					line+=$(printf " %*.*f %6.2f" "$width" "$d" "$v" "$(awk -v n="$n" -v v="$v" -v r="$ratio" 'BEGIN {print r == "server/nginx" ? v / n : n / v}')")
				else
					line+=$(printf " %*s %6s" "$width" "-" "-")
				fi
			done
			echo "$line"
		done
	done
}

{
	echo "# Deploy server vs nginx — $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# load average before the runs: $LOAD; after: $(cut -d" " -f1-3 /proc/loadavg)"
	echo "# $(nproc) CPUs; $(nginx -v 2>&1); $(go version | cut -d' ' -f3); wrk -t2 -c64 -d${DUR}s, loopback"
	[ "$PIN" = 1 ] && echo "# PIN=1: servers on CPU 0 (GOMAXPROCS=1), wrk on CPU 1"
	echo "# deploy: the deploy Server through its fast path; net/http: the same Server on net/http alone"
	echo
	echo "# Requests per second, median of $ROUNDS rounds; ratio = server / nginx"
	table runs server/nginx 0
	echo
	echo "# Server CPU time per request (user + system), µs, median of $ROUNDS rounds; ratio = nginx / server"
	table cpu nginx/server 1
	echo
	echo "# Every run, requests per second and CPU µs per request, in order"
	for key in "${!runs[@]}"; do
		echo "$key: ${runs[$key]}| ${cpu[$key]}"
	done | sort
	echo
	echo "# Incremental deploy"
	"$WORK/deploybench" incremental -pages 5000
} | tee "$OUT"
