#!/usr/bin/env bash
# Builds and installs Citus 13.2.2 into the PostgreSQL 15 server from the
# source archive in third_party/citus (see its README.md), unless a Citus
# 13.2 is installed there already: then it does nothing.
#
# Needs no network but the package registry, and that only when build
# dependencies are missing: as root they are installed with apt, otherwise the
# script stops and names them. Installing into the server's directories needs
# root (or write access to them).
#
# PG_CONFIG picks the server (default: PostgreSQL 15's, as scripts/pg.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg.sh

CITUS_VERSION=13.2.2
CITUS_ARCHIVE=$PWD/third_party/citus/citus-$CITUS_VERSION.tar.gz
# git archive of tag v13.2.2 without tests (third_party/citus/README.md).
CITUS_SHA256=315cd48a07f541d1a79218e5a746b7874728fe58e111242d2143775af68ecbce
PG_CONFIG=${PG_CONFIG:-$PG_BINDIR/pg_config}

# citus_installed: citus.so is in the server's library directory and the
# extension's control file there is at 13.2.
citus_installed() {
  local lib ext
  lib=$("$PG_CONFIG" --pkglibdir) ext="$("$PG_CONFIG" --sharedir)/extension"
  [ -f "$lib/citus.so" ] && [ -f "$ext/citus.control" ] &&
    grep -Eq "^default_version = '13\.2" "$ext/citus.control"
}

# citus_require_packages: the server's headers and the libraries Citus and
# the server's build flags link against, installed with apt when root,
# named in an error otherwise.
citus_require_packages() {
  local pkgs=(postgresql-server-dev-15 liblz4-dev libzstd-dev libcurl4-openssl-dev
              libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev) missing=() p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  { command -v gcc && command -v make; } >/dev/null || missing+=(build-essential)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
      die "could not install ${missing[*]}"
  else
    die "missing system packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
}

if [ -x "$PG_CONFIG" ] && citus_installed; then
  echo "Citus 13.2 is installed in $("$PG_CONFIG" --pkglibdir)"
  exit 0
fi

start=$SECONDS
citus_require_packages
[ -x "$PG_CONFIG" ] || die "$PG_CONFIG is missing (postgresql-server-dev-15)"
[ -f "$CITUS_ARCHIVE" ] || die "$CITUS_ARCHIVE is missing"
echo "$CITUS_SHA256  $CITUS_ARCHIVE" | sha256sum --check --quiet ||
  die "$CITUS_ARCHIVE does not have the sha256 recorded in scripts/citus-build.sh"
libdir=$("$PG_CONFIG" --pkglibdir)
[ -w "$libdir" ] || die "cannot write to $libdir: run scripts/citus-build.sh as root"

work=$(mktemp -d /var/tmp/citus-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -xzf "$CITUS_ARCHIVE" -C "$work"
src=$work/citus-$CITUS_VERSION

# PostgreSQL 15.20 (and later minor releases, and 16+) exports
# have_createdb_privilege from commands/dbcommands.h; Citus 13.2 defines a
# static inline of the same name for PostgreSQL 15, which then fails to
# compile. Drop that definition where the server's header declares the
# function (decided by the header, not by a version number).
if grep -q 'have_createdb_privilege' "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h"; then
  compat=$src/src/include/pg_version_compat.h
  awk '
    skip && /^}/ { skip = 0; next }
    skip { next }
    prev == "static inline bool" && $0 == "have_createdb_privilege(void)" { skip = 1; prev_set = 0; next }
    { if (prev_set) print prev; prev = $0; prev_set = 1 }
    END { if (prev_set) print prev }
  ' "$compat" > "$compat.new"
  mv "$compat.new" "$compat"
  ! grep -q 'have_createdb_privilege(void)' "$compat" ||
    die "could not drop have_createdb_privilege from $compat"
  echo "the server declares have_createdb_privilege: using its definition"
fi

log=$work/build.log
echo "building Citus $CITUS_VERSION against $("$PG_CONFIG" --version) (log: $log)"
if ! (cd "$src" && PG_CONFIG=$PG_CONFIG ./configure --without-libcurl &&
      make -j2 && make install) >"$log" 2>&1; then
  tail -40 "$log" >&2
  die "the Citus build failed"
fi
citus_installed || die "make install did not install Citus 13.2 into $libdir"
echo "Citus $CITUS_VERSION installed in $libdir in $((SECONDS - start)) s"
