#!/usr/bin/env bash
# Runs the appliance benchmark (bench/startup.py) against bin/cairn and influxd 1.6.7.
#   bench/run.sh [--runs N] [other startup.py flags; --help lists them]
# ./build.sh bench installs influxdb, builds bin/cairn and then runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bin/cairn ]; then
  echo "bin/cairn is missing: run ./build.sh first (or ./build.sh bench)" >&2; exit 2
fi
if ! command -v influxd >/dev/null && [ ! -x /usr/bin/influxd ]; then
  echo "influxd is missing: apt-get install -y influxdb (or ./build.sh bench)" >&2; exit 2
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }
export BENCH_REPRODUCE="bench/run.sh${*:+ $*}"
exec python3 bench/startup.py "$@"
