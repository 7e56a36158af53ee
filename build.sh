#!/usr/bin/env bash
# Cairn build entry point.
#   ./build.sh            build: publish the AOT binary to bin/cairn (zero IL/AOT warnings or it fails)
#   ./build.sh run        build, then start the zero-config single-node server (meta + data, ./var/)
#   ./build.sh test       build, run unit + integration tests (against bin/cairn) and the package check
#   ./build.sh soak       build, run the long fault and load tests (tests tagged Soak)
#   ./build.sh package    build, write dist/cairn_<ver>_amd64.deb and dist/cairn-<ver>.x86_64.rpm
#   ./build.sh bench      build, run bench/ side by side with InfluxDB 1.6.7
# On a fresh Debian machine it installs what it needs with apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*" >&2; }

# apt packages each verb needs; installed only when missing.
BUILD_PKGS=(clang zlib1g-dev git)
TEST_PKGS=(curl procps python3 influxdb influxdb-client)
PACKAGE_PKGS=(dpkg-dev rpm fakeroot)
BENCH_PKGS=(influxdb curl procps python3)

ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required: https://dot.net" >&2; exit 1; }
}

# Publishes the Native AOT binary and copies it to bin/cairn. Any IL/AOT warning fails the build.
build() {
  ensure_apt "${BUILD_PKGS[@]}"
  ensure_dotnet
  log "publishing bin/cairn (Native AOT)"
  local logf
  logf=$(mktemp)
  if ! dotnet publish src/Cairn.Server/Cairn.Server.csproj -c Release -o artifacts/publish -nologo -clp:NoSummary >"$logf" 2>&1; then
    cat "$logf" >&2; rm -f "$logf"; exit 1
  fi
  if grep -E "warning (IL|CS|NU|NETSDK)[0-9]+" "$logf" >&2; then
    echo "publish printed warnings (see above); Cairn ships with none" >&2; rm -f "$logf"; exit 1
  fi
  rm -f "$logf"
  mkdir -p bin
  # Copy then rename: a bin/cairn that is running stays valid, and the new one is whole.
  install -m 0755 artifacts/publish/cairn bin/.cairn.new
  mv -f bin/.cairn.new bin/cairn
  log "bin/cairn: $(du -h bin/cairn | cut -f1)"
}

# Runs one TUnit project and adds its counts to the totals.
PASSED=0; FAILED=0; SKIPPED=0
run_tests() {
  local project=$1; shift
  local out
  out=$(mktemp)
  log "dotnet test $project $*"
  set +e
  dotnet test --project "$project" -c Release "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  set -e
  local total failed skipped
  total=$(sed -n 's/^ *total: *\([0-9]*\).*/\1/p' "$out" | tail -1)
  failed=$(sed -n 's/^ *failed: *\([0-9]*\).*/\1/p' "$out" | tail -1)
  skipped=$(sed -n 's/^ *skipped: *\([0-9]*\).*/\1/p' "$out" | tail -1)
  rm -f "$out"
  total=${total:-0}; failed=${failed:-0}; skipped=${skipped:-0}
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a crash or build failure counts
  PASSED=$((PASSED + total - failed - skipped)); FAILED=$((FAILED + failed)); SKIPPED=$((SKIPPED + skipped))
}

test_all() {
  ensure_apt "${TEST_PKGS[@]}"
  build
  export CAIRN_BIN="$ROOT/bin/cairn"
  run_tests tests/Cairn.Common.Tests
  run_tests tests/Cairn.Meta.Tests
  run_tests tests/Cairn.Cluster.Tests
  run_tests tests/Cairn.Storage.Tests --treenode-filter '/*/*/*/*[Category!=Perf]'
  run_tests tests/Cairn.Query.Tests
  run_tests tests/Cairn.Http.Tests
  run_tests tests/Cairn.Services.Tests
  run_tests tests/Cairn.Integration.Tests --treenode-filter '/*/*/*/*[Category!=Soak]'
  if [ "$(id -u)" -eq 0 ] && [ -x packaging/check-packages.sh ]; then
    package
    log "package check (dpkg -i, run, purge; rpm -qpl)"
    if packaging/check-packages.sh dist; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  else
    log "package check skipped (needs root)"
    SKIPPED=$((SKIPPED + 1))
  fi
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  [ "$FAILED" -eq 0 ]
}

soak() {
  ensure_apt "${TEST_PKGS[@]}"
  build
  export CAIRN_BIN="$ROOT/bin/cairn"
  run_tests tests/Cairn.Integration.Tests --treenode-filter '/*/*/*/*[Category=Soak]'
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  [ "$FAILED" -eq 0 ]
}

package() {
  ensure_apt "${PACKAGE_PKGS[@]}"
  [ -x bin/cairn ] || build
  packaging/build-packages.sh bin/cairn dist
}

verb=${1:-build}
case "$verb" in
  build) build ;;
  run)
    build
    log "starting the zero-config server (meta + data, data under ./var/); Ctrl+C stops it"
    exec bin/cairn run ;;
  test) test_all ;;
  soak) soak ;;
  package) build; package ;;
  bench) ensure_apt "${BENCH_PKGS[@]}"; build; exec bench/run.sh ;;
  *) echo "usage: ./build.sh [build|run|test|soak|package|bench]" >&2; exit 2 ;;
esac
