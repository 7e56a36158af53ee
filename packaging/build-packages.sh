#!/usr/bin/env bash
# packaging/build-packages.sh BINARY OUTDIR
# Builds OUTDIR/cairn_<ver>_amd64.deb (dpkg-deb) and OUTDIR/cairn-<ver>.x86_64.rpm (rpmbuild)
# from one staged install tree, so both packages hold the same paths with the same modes.
# <ver> is the second word of the first line of `BINARY version` ("Cairn 0.1.0").
# Needs dpkg-deb, objdump and rpmbuild (apt-get install dpkg-dev rpm); root is not needed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-packages.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: packaging/build-packages.sh BINARY OUTDIR" >&2; exit 2; }
binary=$1
outdir=$2
[ -f "$binary" ] || die "$binary not found"
for tool in dpkg-deb rpmbuild objdump; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install dpkg-dev rpm)"
done

umask 022
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The binary as packaged: mode 0755 whatever the source file's mode is.
install -m 0755 "$binary" "$tmp/cairn"
version=$("$tmp/cairn" version | head -n 1 | awk '$1 == "Cairn" { print $2 }')
[ -n "$version" ] || die "cannot read the version from '$binary version'"
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]] \
  || die "version '$version' is not usable as both a deb and an rpm version"

# The packaged configuration must be what make-configs.sh makes from this binary.
"$HERE/make-configs.sh" --check "$tmp/cairn" \
  || die "config/cairn-{data,meta}.toml do not match this binary's schema; run packaging/make-configs.sh"

# ---- staged install tree (shared by both packages) ---------------------------------------
stage="$tmp/stage"
mkdir -p "$stage"
install -d -m 0755 "$stage/usr/bin" "$stage/etc/cairn" "$stage/lib/systemd/system" \
  "$stage/var/lib/cairn" "$stage/var/log"
install -m 0755 "$tmp/cairn" "$stage/usr/bin/cairn"
install -m 0644 "$ROOT/config/cairn-meta.toml" "$ROOT/config/cairn-data.toml" "$stage/etc/cairn/"
install -m 0644 "$HERE/systemd/cairn-meta.service" "$HERE/systemd/cairn-data.service" \
  "$stage/lib/systemd/system/"
install -d -m 0755 "$stage/var/lib/cairn/meta" "$stage/var/lib/cairn/data" "$stage/var/log/cairn"
install -d -m 0700 "$stage/var/lib/cairn/wal" "$stage/var/lib/cairn/hh"
# mkdir -p gave the intermediate directories umask modes; make them explicit.
chmod 0755 "$stage" "$stage/usr" "$stage/etc" "$stage/lib" "$stage/lib/systemd" "$stage/var" "$stage/var/lib"

mkdir -p "$outdir"

# ---- .deb ---------------------------------------------------------------------------------
deb="$outdir/cairn_${version}_amd64.deb"
log "building $deb"
debroot="$tmp/deb"
cp -a "$stage" "$debroot"
install -d -m 0755 "$debroot/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$debroot" | cut -f1)
# The newest glibc symbol version the binary uses (what dpkg-shlibdeps would work out).
glibc=$(objdump -T "$tmp/cairn" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
[ -n "$glibc" ] || die "cannot find the glibc version $binary needs (objdump -T)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@GLIBC_VERSION@/$glibc/" \
  "$HERE/deb/control" >"$debroot/DEBIAN/control"
! grep -n '@[A-Z_]*@' "$debroot/DEBIAN/control" || die "packaging/deb/control has an unknown placeholder"
chmod 0644 "$debroot/DEBIAN/control"
install -m 0644 "$HERE/deb/conffiles" "$debroot/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  sh -n "$HERE/deb/$script" || die "packaging/deb/$script has a syntax error"
  install -m 0755 "$HERE/deb/$script" "$debroot/DEBIAN/$script"
done
# Every conffile must be in the tree.
while read -r conffile; do
  [ -z "$conffile" ] || [ -f "$debroot$conffile" ] || die "conffile $conffile is not in the package"
done <"$debroot/DEBIAN/conffiles"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$debroot" "$deb" >/dev/null

# ---- .rpm ---------------------------------------------------------------------------------
rpm_out="$outdir/cairn-${version}.x86_64.rpm"
log "building $rpm_out"
top="$tmp/rpmbuild"
mkdir -p "$top"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
sed -e "s/@VERSION@/$version/" "$HERE/rpm/cairn.spec" >"$top/SPECS/cairn.spec"
if ! rpmbuild -bb --target x86_64 \
      --define "_topdir $top" \
      --define "cairn_stage $stage" \
      --define "_binary_payload w9.xzdio" \
      "$top/SPECS/cairn.spec" >"$tmp/rpmbuild.log" 2>&1; then
  cat "$tmp/rpmbuild.log" >&2
  die "rpmbuild failed"
fi
built=$(find "$top/RPMS" -name "cairn-${version}-*.x86_64.rpm" | head -n 1)
[ -n "$built" ] || { cat "$tmp/rpmbuild.log" >&2; die "rpmbuild produced no package"; }
rm -f "$rpm_out"
cp "$built" "$rpm_out"

log "$(du -h "$deb" | cut -f1) $deb"
log "$(du -h "$rpm_out" | cut -f1) $rpm_out"
