#!/usr/bin/env bash
# Runs the cluster benchmark (bench/cluster/cluster.py): a 2-data-node Cairn cluster (RF 1, RF 2) next to a
# single Cairn node, ingest and distributed TSBS queries, all with bin/cairn on this machine.
#   bench/cluster/run.sh [--runs N] [--systems single,rf1,rf2] [other cluster.py flags; --help lists them]
set -euo pipefail
cd "$(dirname "$0")/../.."
own_cairn=0
for a in "$@"; do
  case "$a" in --cairn|--cairn=*) own_cairn=1 ;; esac
done
if [ "$own_cairn" = 0 ] && [ ! -x bin/cairn ]; then
  echo "bin/cairn is missing: run ./build.sh first (or pass --cairn PATH)" >&2; exit 2
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }
export BENCH_REPRODUCE="bench/cluster/run.sh${*:+ $*}"
exec python3 bench/cluster/cluster.py "$@"
