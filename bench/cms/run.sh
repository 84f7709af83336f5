#!/usr/bin/env bash
# Edit-to-live on a site of N generated news pages (default 5000): a real
# `portale demo` server (CMS, builder, deploy store, static server), the demo
# validatore publishing EDITS news edits through the CMS proxy protocol, each
# timed from the publish request until the page is served with its new title
# (bench/cms/main.go). In the same run, ROUNDS full builds of the same site
# with the stock hugo CLI of the version the portal links (v0.165.0), as a
# yardstick. The server stops at the end; the work folder is removed.
#   PAGES=5000 EDITS=12 ROUNDS=3 PAUSE=8s bench/cms/run.sh
# PAUSE is the wait between an edit going live and the next one (default
# 8s, time for the search index of the publish before to follow in the
# background, as between two editors' publishes); PAUSE=0 publishes back to
# back.
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${PAGES:-5000}
edits=${EDITS:-12}
rounds=${ROUNDS:-3}
pause=${PAUSE:-8s}
port=${PORT:-18190}
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

make -s assets
go build -o "$work/portale" ./cmd/portale
go build -o "$work/bench-cms" ./bench/cms
hugo=${HUGO:-/root/go/bin/hugo}
if ! "$hugo" version 2>/dev/null | grep -q 'v0.165.0'; then
  GOBIN="$work/bin" go install github.com/gohugoio/hugo@v0.165.0
  hugo="$work/bin/hugo"
fi

data="$work/data"
"$work/portale" init --data "$data" >/dev/null
for i in $(seq 1 "$pages"); do
  printf -- '---\ntitle: "Notizia generata %d"\ndate: 2026-01-%02d\ndescription: "Una notizia generata per misurare la pubblicazione dal CMS."\n---\n\nTesto della notizia %d: **parole** in grassetto, un [collegamento](/notizie/) e un elenco.\n\n- uno\n- due\n' \
    "$i" $(( i % 28 + 1 )) "$i" > "$data/site/content/notizie/gen-$i.md"
done
git -C "$data/site" add --all
git -C "$data/site" -c user.name=bench -c user.email=bench@localhost commit --quiet -m "$pages notizie generate"

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
start=$(date +%s.%N)
"$work/portale" demo --data "$data" --addr "127.0.0.1:$port" --log-format json > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/notizie/gen-1/" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/notizie/gen-1/" || { tail -20 "$work/server.log"; exit 1; }
echo "== portale demo: first full build and deploy of $pages news pages, server up after $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"

echo "== edit-to-live, $edits edits through the CMS"
"$work/bench-cms" -base "http://127.0.0.1:$port" -edits "$edits" -pause "$pause"
echo "== what the server did for each publish"
grep '"site published after a CMS change"' "$work/server.log" |
  sed -E 's/.*"ms":([0-9]+).*"incremental":(true|false),"full_reason":"([^"]*)","scoped":(true|false),"wait_ms":([0-9]+),"deploy_ms":([0-9]+).*/build \1 ms (incremental \2, scoped \4) \3; waited for the build lock \5 ms; deploy \6 ms/'
echo "== the search index after each publish (in the background)"
grep '"search index updated"' "$work/server.log" | sed -E 's/.*"ms":([0-9]+).*/pagefind and deploy: \1 ms/' || true
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

echo "== stock hugo, full build of the same site ($(git -C "$data/site" ls-files content | wc -l) content files)"
mkdir -p "$work/hugo-src"
cp -R "$data/site/hugo.toml" "$data/site/content" "$data/site/layouts" "$data/site/themes" "$work/hugo-src/"
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/out" "$work/hugo-src/resources"
  /usr/bin/time -f "round $r: hugo wall %e s, peak RSS %M KB" "$hugo" --quiet --source "$work/hugo-src" --destination "$work/out" 2>&1
done
