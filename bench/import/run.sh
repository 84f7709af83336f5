#!/usr/bin/env bash
# `portale import verbali` next to the sqlite3 CLI's `.import` of the same rows
# into the same schema, in one run, with /usr/bin/time for wall time and peak
# memory. N=1000000 bench/import/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${N:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3" >&2; exit 1; }

make -s build
go run ./bench/import -n "$n" -jsonl "$work/verbali.jsonl" -csv "$work/verbali.csv"
bin/portale init --data "$work/portale" >/dev/null
bin/portale init --data "$work/sqlite" >/dev/null
sqlite3 "$work/sqlite/portale.db" 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;' >/dev/null

echo "== portale import verbali ($n rows, JSON Lines)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" bin/portale import verbali --data "$work/portale" "$work/verbali.jsonl" > "$work/import.txt"
cat "$work/import.txt"
echo "== sqlite3 .import ($n rows, CSV, same schema and indexes)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" sqlite3 "$work/sqlite/portale.db" \
  'PRAGMA synchronous=NORMAL;' 'BEGIN;' ".import --csv $work/verbali.csv verbali" 'COMMIT;'

# A run counts only if every row went in: portale reports all $n rows new and
# none discarded, and the verbali table of both databases holds $n rows.
grep -Eq "^ +nuovi: +$n\$" "$work/import.txt" && grep -Eq '^ +scartati: +0$' "$work/import.txt" ||
  { echo "portale import verbali: not all $n rows imported as new with 0 discarded (summary above)" >&2; exit 1; }
for db in portale sqlite; do
  rows=$(sqlite3 "$work/$db/portale.db" 'SELECT COUNT(*) FROM verbali')
  echo "$rows rows in the $db database"
  [ "$rows" = "$n" ] || { echo "$db database: $rows rows in verbali, not $n" >&2; exit 1; }
done
