#!/usr/bin/env bash
# packaging/check-packages.sh DISTDIR
# Installs the newest DISTDIR/cairn_*_amd64.deb on this machine (as root) and checks it end to
# end: files, user, directory owners and modes, a data node started from the packaged config,
# conffile handling on reinstall, remove and purge. Then checks that the .rpm of the same
# version lists the same paths (with the same modes) as the .deb. Prints each step; exits
# non-zero on the first failure. Whatever happens, it leaves the machine as it found it: the
# package purged, /var/lib/cairn and /var/log/cairn deleted (it refuses to start if any of them
# already exist, so it never touches a real installation).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

step() { printf '\n--- %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
fail() { printf '    FAIL: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: packaging/check-packages.sh DISTDIR" >&2; exit 2; }
dist=$1
[ "$(id -u)" -eq 0 ] || fail "must run as root (it installs the package)"
for tool in dpkg dpkg-deb rpm curl setpriv; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done

# ---- pick the packages ----------------------------------------------------------------------
step "packages in $dist"
# shellcheck disable=SC2012  # newest by mtime; the names are ours
deb=$(ls -t "$dist"/cairn_*_amd64.deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || fail "no $dist/cairn_*_amd64.deb (run ./build.sh package)"
version=$(dpkg-deb -f "$deb" Version)
rpmfile="$dist/cairn-$version.x86_64.rpm"
[ -f "$rpmfile" ] || fail "$rpmfile is missing (the .rpm of the .deb's version $version)"
ok "$deb"
ok "$rpmfile"

# ---- refuse to touch a real installation ------------------------------------------------------
if dpkg-query -W -f='${Status}' cairn 2>/dev/null | grep -qv "not-installed"; then
  fail "package cairn is already known to dpkg ($(dpkg-query -W -f='${Status}' cairn)); purge it first: dpkg --purge cairn"
fi
for path in /etc/cairn /var/lib/cairn /var/log/cairn; do
  [ ! -e "$path" ] || fail "$path already exists; this check installs and purges cairn, so it only runs on a machine without it"
done
getent passwd cairn >/dev/null && fail "user cairn already exists; delete it first (userdel cairn)"
getent group cairn >/dev/null && fail "group cairn already exists; delete it first (groupdel cairn)"

tmp=$(mktemp -d)
chmod 0755 "$tmp"   # the server runs as user cairn and reads the licence copy from here
server_pid=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    echo "cleanup: killing server $server_pid"
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if dpkg-query -W -f='${Status}' cairn 2>/dev/null | grep -qv "not-installed"; then
    echo "cleanup: dpkg --purge cairn"
    dpkg --purge cairn >"$tmp/cleanup-purge.log" 2>&1 || cat "$tmp/cleanup-purge.log" >&2
  fi
  rm -rf /var/lib/cairn /var/log/cairn
  rm -rf "$tmp"
  if [ "$rc" -eq 0 ]; then echo; echo "package check passed"; else echo; echo "package check FAILED" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# expect_stat PATH OWNER:GROUP MODE
expect_stat() {
  [ -e "$1" ] || fail "$1 does not exist"
  local got
  got=$(stat -c '%U:%G %a' "$1")
  [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
  ok "$1 $got"
}

pkg_status() { dpkg-query -W -f='${Status}' cairn 2>/dev/null || true; }

# process_state PID: prints the state letter (R, S, Z, ...) or nothing if there is no process.
process_state() { sed -n 's/^.*) \([A-Za-z]\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null || true; }

# ---- install --------------------------------------------------------------------------------
step "dpkg -i $deb"
dpkg -i "$deb" </dev/null >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "dpkg -i failed"; }
sed 's/^/    | /' "$tmp/install.log"
[ "$(pkg_status)" = "install ok installed" ] || fail "dpkg status is '$(pkg_status)'"
ok "status: install ok installed"

step "/usr/bin/cairn version"
expect_stat /usr/bin/cairn root:root 755
/usr/bin/cairn version >"$tmp/version.out" || fail "cairn version exited non-zero"
sed 's/^/    | /' "$tmp/version.out"
[ "$(head -n 1 "$tmp/version.out")" = "Cairn $version" ] || fail "first line is not 'Cairn $version'"
ok "version $version"

step "configuration and systemd units"
expect_stat /etc/cairn root:root 755
for role in meta data; do
  expect_stat "/etc/cairn/cairn-$role.toml" root:root 644
  cmp -s "/etc/cairn/cairn-$role.toml" "$ROOT/config/cairn-$role.toml" \
    || fail "/etc/cairn/cairn-$role.toml differs from config/cairn-$role.toml"
  grep -qx "  role = \"$role\"" "/etc/cairn/cairn-$role.toml" || fail "cairn-$role.toml does not set role = \"$role\""
  unit="/lib/systemd/system/cairn-$role.service"
  expect_stat "$unit" root:root 644
  # shellcheck disable=SC2016  # $MAINPID is literal unit text
  for line in "ExecStart=/usr/bin/cairn run --config /etc/cairn/cairn-$role.toml --role $role" \
              "User=cairn" "EnvironmentFile=-/etc/default/cairn-$role" 'ExecReload=/bin/kill -HUP $MAINPID' \
              "Restart=on-failure" "LimitNOFILE=65536" "KillSignal=SIGTERM" "TimeoutStopSec=20"; do
    grep -qxF "$line" "$unit" || fail "$unit lacks '$line'"
  done
  ok "$unit has ExecStart, User, EnvironmentFile, ExecReload, Restart, limits"
done
dpkg-query --control-show cairn conffiles >"$tmp/conffiles" 2>/dev/null \
  || cp /var/lib/dpkg/info/cairn.conffiles "$tmp/conffiles"
for role in meta data; do
  grep -qx "/etc/cairn/cairn-$role.toml" "$tmp/conffiles" || fail "/etc/cairn/cairn-$role.toml is not a conffile"
done
ok "both .toml files are conffiles"

step "user, group and directories"
pw=$(getent passwd cairn) || fail "user cairn does not exist"
getent group cairn >/dev/null || fail "group cairn does not exist"
uid=$(echo "$pw" | cut -d: -f3); home=$(echo "$pw" | cut -d: -f6); shell=$(echo "$pw" | cut -d: -f7)
[ "$uid" -lt 1000 ] || fail "cairn has uid $uid, not a system uid"
[ "$home" = /var/lib/cairn ] || fail "cairn's home is $home, expected /var/lib/cairn"
case "$shell" in */nologin|/bin/false) ;; *) fail "cairn's shell is $shell, expected nologin" ;; esac
[ "$(id -gn cairn)" = cairn ] || fail "cairn's primary group is $(id -gn cairn)"
ok "$pw"
expect_stat /var/lib/cairn cairn:cairn 755
expect_stat /var/lib/cairn/meta cairn:cairn 755
expect_stat /var/lib/cairn/data cairn:cairn 755
expect_stat /var/lib/cairn/wal cairn:cairn 700
expect_stat /var/lib/cairn/hh cairn:cairn 700
expect_stat /var/log/cairn cairn:cairn 755

# ---- run a data node from the packaged config ------------------------------------------------
step "run /usr/bin/cairn run --config /etc/cairn/cairn-data.toml (as user cairn, loopback, port 0)"
cp "$ROOT/config/license-dev.json" "$tmp/license.json"
chmod 0644 "$tmp/license.json"
# setpriv execs, so $! is the server itself; env -i gives it the clean environment systemd would.
setpriv --reuid=cairn --regid=cairn --init-groups -- \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/cairn LANG=C.UTF-8 \
  CAIRN_HTTP_BIND_ADDRESS=127.0.0.1:0 CAIRN_BIND_ADDRESS=127.0.0.1:0 \
  CAIRN_ENTERPRISE_LICENSE_PATH="$tmp/license.json" \
  /usr/bin/cairn run --config /etc/cairn/cairn-data.toml </dev/null >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
show_server_logs() { echo "    server stdout:"; sed 's/^/    | /' "$tmp/server.out"; echo "    server stderr:"; sed 's/^/    | /' "$tmp/server.err"; }

deadline=$((SECONDS + 30))
ready=""
while [ $SECONDS -lt $deadline ]; do
  ready=$(grep -m 1 '^READY ' "$tmp/server.out" || true)
  [ -z "$ready" ] || break
  state=$(process_state "$server_pid")
  if [ -z "$state" ] || [ "$state" = Z ]; then show_server_logs; fail "server exited before READY"; fi
  sleep 0.1
done
[ -n "$ready" ] || { show_server_logs; fail "no READY line within 30 s"; }
ok "$ready"
echo "$ready" | grep -q '^READY role=data ' || { show_server_logs; fail "READY line is not role=data"; }
port=$(echo "$ready" | sed -n 's/.* http=[^ ]*:\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p')
[ -n "$port" ] || fail "no http=HOST:PORT in the READY line"
[ "$(stat -c %U "/proc/$server_pid")" = cairn ] || fail "server does not run as user cairn"
ok "server pid $server_pid runs as user cairn"

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/ping" || true)
[ "$code" = 204 ] || { show_server_logs; fail "GET /ping returned '$code', expected 204"; }
ok "GET http://127.0.0.1:$port/ping -> 204"

if grep -Ei 'unknown (key|section|environment)|lvl=warn|lvl=error' "$tmp/server.err" >&2; then
  show_server_logs; fail "the packaged config produced warnings or errors"
fi
ok "no warnings in the server log"

kill -TERM "$server_pid"
deadline=$((SECONDS + 10))
while [ $SECONDS -lt $deadline ]; do
  state=$(process_state "$server_pid")
  { [ -z "$state" ] || [ "$state" = Z ]; } && break
  sleep 0.1
done
state=$(process_state "$server_pid")
if [ -n "$state" ] && [ "$state" != Z ]; then show_server_logs; fail "server still running 10 s after SIGTERM"; fi
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[ "$rc" -eq 0 ] || { show_server_logs; fail "server exited with $rc after SIGTERM, expected 0"; }
ok "SIGTERM: exited 0"

# ---- conffiles survive a reinstall ------------------------------------------------------------
step "an edited conffile survives a reinstall (dpkg -i again)"
marker="# edited by check-packages.sh $$"
echo "$marker" >>/etc/cairn/cairn-data.toml
dpkg -i "$deb" </dev/null >"$tmp/reinstall.log" 2>&1 || { cat "$tmp/reinstall.log" >&2; fail "second dpkg -i failed"; }
grep -qxF "$marker" /etc/cairn/cairn-data.toml || fail "the edit to /etc/cairn/cairn-data.toml was lost"
cmp -s /etc/cairn/cairn-meta.toml "$ROOT/config/cairn-meta.toml" || fail "the untouched cairn-meta.toml changed"
[ "$(pkg_status)" = "install ok installed" ] || fail "dpkg status is '$(pkg_status)'"
ok "edit kept, package installed"
expect_stat /var/lib/cairn/wal cairn:cairn 700

# ---- remove keeps configuration and data -----------------------------------------------------
step "dpkg -r cairn keeps /etc/cairn and /var/lib/cairn"
echo "check-packages data marker" >/var/lib/cairn/data/marker
chown cairn:cairn /var/lib/cairn/data/marker
dpkg -r cairn </dev/null >"$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log" >&2; fail "dpkg -r failed"; }
sed 's/^/    | /' "$tmp/remove.log"
[ "$(pkg_status)" = "deinstall ok config-files" ] || fail "dpkg status is '$(pkg_status)'"
[ ! -e /usr/bin/cairn ] || fail "/usr/bin/cairn is still there"
[ ! -e /lib/systemd/system/cairn-data.service ] || fail "the units are still there"
grep -qxF "$marker" /etc/cairn/cairn-data.toml || fail "/etc/cairn/cairn-data.toml was not kept"
[ -f /etc/cairn/cairn-meta.toml ] || fail "/etc/cairn/cairn-meta.toml was not kept"
[ -f /var/lib/cairn/data/marker ] || fail "/var/lib/cairn/data/marker was deleted"
getent passwd cairn >/dev/null || fail "remove deleted the cairn user"
ok "binary and units gone; config, data and user kept"

# ---- purge removes configuration and the user, never data -------------------------------------
step "dpkg --purge cairn removes /etc/cairn and the user, keeps /var/lib/cairn"
dpkg --purge cairn </dev/null >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge failed"; }
sed 's/^/    | /' "$tmp/purge.log"
[ "$(pkg_status | grep -v not-installed)" = "" ] || fail "dpkg status is '$(pkg_status)' after purge"
[ ! -e /etc/cairn ] || fail "/etc/cairn still exists: $(find /etc/cairn | tr '\n' ' ')"
getent passwd cairn >/dev/null && fail "user cairn still exists"
getent group cairn >/dev/null && fail "group cairn still exists"
[ -f /var/lib/cairn/data/marker ] || fail "purge deleted /var/lib/cairn/data/marker"
ok "/etc/cairn, user and group gone; /var/lib/cairn/data/marker kept"
rm -rf /var/lib/cairn /var/log/cairn
ok "removed /var/lib/cairn (test data) so the next run starts clean"

# ---- the .rpm holds the same paths as the .deb -------------------------------------------------
step "rpm -qpl $rpmfile lists the same paths and modes as dpkg-deb -c $deb"
[ "$(rpm -qp --qf '%{VERSION}' "$rpmfile")" = "$version" ] || fail "the .rpm's version is not $version"
# Entries as "MODE PATH". Directories count when the package owns them (their path names
# cairn); /, /etc, /usr/bin, /lib/systemd/system and the like belong to the system.
dpkg-deb -c "$deb" | awk '{ p = $NF; sub(/^\./, "", p); sub(/\/$/, "", p);
  if (p == "") next; if (substr($1, 1, 1) == "d" && p !~ /cairn/) next; print $1, p }' | sort >"$tmp/deb.list"
rpm -qplv "$rpmfile" | awk '{ print $1, $NF }' | sort >"$tmp/rpm.list"
# rpm -qpl alone must list the same paths (it is what users run).
rpm -qpl "$rpmfile" | sort >"$tmp/rpm.paths"
cut -d' ' -f2 "$tmp/rpm.list" | sort | cmp -s - "$tmp/rpm.paths" || fail "rpm -qpl and rpm -qplv disagree"
if ! diff -u "$tmp/deb.list" "$tmp/rpm.list" >"$tmp/lists.diff"; then
  sed 's/^/    | /' "$tmp/lists.diff"
  fail "the .deb and the .rpm hold different files"
fi
sed 's/^/    | /' "$tmp/rpm.list"
ok "$(wc -l <"$tmp/rpm.list") identical entries"
rpm -qpc "$rpmfile" | sort >"$tmp/rpm.config"
printf '%s\n' /etc/cairn/cairn-data.toml /etc/cairn/cairn-meta.toml | cmp -s - "$tmp/rpm.config" \
  || fail "the .rpm's %config files are $(tr '\n' ' ' <"$tmp/rpm.config")"
ok "rpm %config files: the two .toml files"
