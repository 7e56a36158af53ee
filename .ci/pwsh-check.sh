#!/usr/bin/env bash
# PowerShell parity check: build.ps1 must build bin/cairn exactly like build.sh.
# Installs PowerShell 7 as a .NET tool when pwsh is missing, then runs `pwsh ./build.ps1 build`
# from the repository root. Exits non-zero when either step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

PWSH_VERSION=7.6.9
TOOL_DIR="$HOME/.dotnet/tools"

if ! command -v pwsh >/dev/null 2>&1; then
  if [ -x "$TOOL_DIR/pwsh" ]; then
    echo "==> using $TOOL_DIR/pwsh" >&2
  else
    command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required to install PowerShell" >&2; exit 1; }
    echo "==> installing PowerShell $PWSH_VERSION as a .NET tool into $TOOL_DIR" >&2
    mkdir -p "$TOOL_DIR"
    out=$(dotnet tool install --tool-path "$TOOL_DIR" PowerShell --version "$PWSH_VERSION" 2>&1) || {
      # A PowerShell tool already there (e.g. another version) is updated instead.
      if grep -qi "already installed" <<<"$out"; then
        dotnet tool update --tool-path "$TOOL_DIR" PowerShell --version "$PWSH_VERSION" >&2 \
          || { echo "$out" >&2; exit 1; }
      else
        echo "$out" >&2; exit 1
      fi
    }
  fi
  export PATH="$TOOL_DIR:$PATH"
fi

pwsh --version >&2
pwsh -NoProfile -NonInteractive -File ./build.ps1 build
[ -s bin/cairn ] && [ -x bin/cairn ] || { echo "build.ps1 build left no executable bin/cairn" >&2; exit 1; }
echo "==> build.ps1 build: ok" >&2
