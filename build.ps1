#!/usr/bin/env pwsh
# Cairn build entry point for PowerShell 7; the same verbs as build.sh.
#   ./build.ps1            build: publish the AOT binary to bin/cairn (zero IL/AOT warnings or it fails)
#   ./build.ps1 run        build, then start the zero-config single-node server (meta + data, ./var/)
#   ./build.ps1 test       build, run unit + integration tests (against bin/cairn) and the package check
#   ./build.ps1 soak       build, run the long fault and load tests (tests tagged Soak)
#   ./build.ps1 package    build, write dist/cairn_<ver>_amd64.deb and dist/cairn-<ver>.x86_64.rpm
#   ./build.ps1 bench      build, run bench/ side by side with InfluxDB 1.6.7
# On a fresh Debian machine it installs what it needs with apt-get (as root, or through sudo).
#
# build, run and bench are native PowerShell. test, soak and package hand over to
# `bash ./build.sh <verb>`: they drive bash tooling (the TUnit result parsing, the deb/rpm
# scripts under packaging/) that only exists on Linux, so a PowerShell copy would add nothing
# but a second place to keep in step. build.sh builds bin/cairn itself for those verbs.
param(
    [Parameter(Position = 0)]
    [string]$Verb = 'build'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $false  # exit codes of native commands are checked by hand

Set-Location -LiteralPath $PSScriptRoot
$Root = (Get-Location).Path
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Write-Log([string]$Message) {
    [Console]::Error.WriteLine("==> $Message")
}

function Stop-Build([string]$Message, [int]$Code = 1) {
    if ($Message) { [Console]::Error.WriteLine($Message) }
    exit $Code
}

# apt packages each verb needs; installed only when missing (same lists as build.sh).
$BuildPkgs = @('clang', 'zlib1g-dev', 'git')
$BenchPkgs = @('influxdb', 'curl', 'procps', 'python3')

function Test-Command([string]$Name) {
    return [bool](Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue)
}

function Install-AptPackages([string[]]$Packages) {
    if (-not $IsLinux) { return }
    if (-not (Test-Command 'dpkg-query') -or -not (Test-Command 'apt-get')) {
        Write-Log "no dpkg/apt-get here; make sure these are installed: $($Packages -join ' ')"
        return
    }
    $missing = @()
    foreach ($p in $Packages) {
        $status = & dpkg-query -W '-f=${Status}' $p 2>$null
        if ($LASTEXITCODE -ne 0 -or "$status" -notmatch 'install ok installed') { $missing += $p }
    }
    if ($missing.Count -eq 0) { return }
    Write-Log "installing $($missing -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    # As root apt-get runs directly; otherwise through sudo (DEBIAN_FRONTEND goes on its command line).
    $apt = @(if ((& id -u) -eq '0') { 'apt-get' } else { 'sudo', 'DEBIAN_FRONTEND=noninteractive', 'apt-get' })
    $aptArgs = @($apt | Select-Object -Skip 1)
    & $apt[0] @aptArgs update -qq
    if ($LASTEXITCODE -ne 0) { Stop-Build 'apt-get update failed' }
    & $apt[0] @aptArgs install -y -qq --no-install-recommends @missing | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Build "apt-get install $($missing -join ' ') failed" }
}

function Assert-Dotnet {
    if (-not (Test-Command 'dotnet')) {
        Stop-Build 'dotnet (the .NET 10 SDK) is required: https://dot.net'
    }
}

# Publishes the Native AOT binary and copies it to bin/cairn. Any IL/AOT warning fails the build.
function Invoke-Build {
    Install-AptPackages $BuildPkgs
    Assert-Dotnet
    Write-Log 'publishing bin/cairn (Native AOT)'
    $output = & dotnet publish src/Cairn.Server/Cairn.Server.csproj -c Release -o artifacts/publish -nologo -clp:NoSummary 2>&1 |
        ForEach-Object { "$_" }
    $rc = $LASTEXITCODE
    if ($rc -ne 0) {
        $output | ForEach-Object { [Console]::Error.WriteLine($_) }
        Stop-Build "dotnet publish failed (exit code $rc)"
    }
    $warnings = @($output | Select-String -Pattern 'warning (IL|CS|NU|NETSDK)\d+' -CaseSensitive)
    if ($warnings.Count -gt 0) {
        $warnings | ForEach-Object { [Console]::Error.WriteLine($_.Line) }
        Stop-Build 'publish printed warnings (see above); Cairn ships with none'
    }
    $exe = if ($IsWindows) { 'cairn.exe' } else { 'cairn' }
    $src = Join-Path $Root "artifacts/publish/$exe"
    if (-not (Test-Path -LiteralPath $src -PathType Leaf) -or (Get-Item -LiteralPath $src).Length -eq 0) {
        Stop-Build "publish left no $src"
    }
    $binDir = Join-Path $Root 'bin'
    New-Item -ItemType Directory -Force -Path $binDir | Out-Null
    # Copy next to the target and rename over it: works while an old bin/cairn is still running.
    $dest = Join-Path $binDir $exe
    $tmp = "$dest.tmp.$PID"
    Copy-Item -LiteralPath $src -Destination $tmp -Force
    if (-not $IsWindows) {
        [System.IO.File]::SetUnixFileMode($tmp, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    }
    Move-Item -LiteralPath $tmp -Destination $dest -Force
    $size = (Get-Item -LiteralPath $dest).Length
    Write-Log ('bin/{0}: {1:N1}M' -f $exe, ($size / 1MB))
}

function Invoke-BuildSh([string]$Name) {
    if (-not (Test-Command 'bash')) { Stop-Build "'$Name' runs build.sh and needs bash (Linux)" }
    & bash ./build.sh $Name
    exit $LASTEXITCODE
}

switch ($Verb) {
    'build' { Invoke-Build }
    'run' {
        Invoke-Build
        Write-Log 'starting the zero-config server (meta + data, data under ./var/); Ctrl+C stops it'
        $exe = if ($IsWindows) { 'bin/cairn.exe' } else { 'bin/cairn' }
        & (Join-Path $Root $exe) run
        exit $LASTEXITCODE
    }
    'test' { Invoke-BuildSh 'test' }
    'soak' { Invoke-BuildSh 'soak' }
    'package' { Invoke-BuildSh 'package' }
    'bench' {
        Install-AptPackages $BenchPkgs
        Invoke-Build
        & bash ./bench/run.sh
        exit $LASTEXITCODE
    }
    default { Stop-Build 'usage: ./build.ps1 [build|run|test|soak|package|bench]' 2 }
}
exit 0
