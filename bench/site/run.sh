#!/usr/bin/env bash
# How much the portal's theme costs Hugo for N generated news pages (default
# 5000), in the same run, with the stock hugo CLI of the version the portal
# links (v0.165.0, compiled through the Go module proxy):
#   portale+N   the portal's site plus the N pages, with its theme
#   portale     the portal's site alone            (their difference: what N pages cost)
#   minimal+N   the N pages alone, with a minimal one-template-per-kind theme
# ROUNDS builds each, taking turns; /usr/bin/time gives wall time and peak memory.
#   PAGES=5000 ROUNDS=3 bench/site/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${PAGES:-5000}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s assets
GOBIN="$work/bin" go install github.com/gohugoio/hugo@v0.165.0
hugo="$work/bin/hugo"

mkdir -p "$work/full" "$work/minimal/content/notizie"
cp -R hugo.toml content layouts themes "$work/full/"
cp -R "$work/full" "$work/base"
for i in $(seq 1 "$pages"); do
  printf -- '---\ntitle: "Notizia generata %d"\ndate: 2026-01-%02d\ndescription: "Una notizia generata per misurare la costruzione del sito."\n---\n\nTesto della notizia %d: **parole** in grassetto, un [collegamento](/notizie/) e un elenco.\n\n- uno\n- due\n' \
    "$i" $(( i % 28 + 1 )) "$i" > "$work/full/content/notizie/gen-$i.md"
done
cp "$work"/full/content/notizie/gen-*.md "$work/minimal/content/notizie/"

# The minimal site: its own config and one template per kind, no partials.
m="$work/minimal/themes/minimal/layouts"
mkdir -p "$m/_default"
printf 'baseURL = "https://example.org/"\ntitle = "Minimo"\ntheme = "minimal"\n' > "$work/minimal/hugo.toml"
printf '<!doctype html><html lang="it"><head><title>{{ .Title }}</title></head><body><main>{{ block "main" . }}{{ end }}</main></body></html>\n' > "$m/_default/baseof.html"
printf '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n' > "$m/_default/single.html"
printf '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n' > "$m/_default/list.html"
cp "$m/_default/list.html" "$m/index.html"

for r in $(seq 1 "$rounds"); do
  for site in full base minimal; do
    rm -rf "$work/out" "$work/$site/resources"
    /usr/bin/time -f "round $r $site: wall %e s, peak RSS %M KB" \
      "$hugo" --quiet --source "$work/$site" --destination "$work/out" 2>&1
    # A build counts only if it rendered every generated page (base has none):
    # notizie/gen-N/index.html.
    want=$pages; [ "$site" = base ] && want=0
    got=0
    [ -d "$work/out/notizie" ] && got=$(find "$work/out/notizie" -mindepth 2 -maxdepth 2 -path '*/gen-*/index.html' | wc -l)
    [ "$got" -eq "$want" ] || { echo "round $r $site: $got generated pages in notizie/, not $want" >&2; exit 1; }
  done
done
