#!/usr/bin/env bash
# Runs the query benchmark (bench/query/query.py): the TSBS query types against bin/cairn and
# influxd 1.6.7, on the ingest benchmark's data.
#   bench/query/run.sh [--runs N] [--systems influxd,cairn] [other query.py flags; --help lists them]
set -euo pipefail
cd "$(dirname "$0")/../.."
want_cairn=1
for a in "$@"; do
  case "$a" in --systems=influxd|influxd) want_cairn=0 ;; esac
done
if [ "$want_cairn" = 1 ] && [ ! -x bin/cairn ]; then
  echo "bin/cairn is missing: run ./build.sh first (or --systems influxd)" >&2; exit 2
fi
if ! command -v influxd >/dev/null && [ ! -x /usr/bin/influxd ]; then
  echo "influxd is missing: apt-get install -y influxdb" >&2; exit 2
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }
export BENCH_REPRODUCE="bench/query/run.sh${*:+ $*}"
exec python3 bench/query/query.py "$@"
