#!/usr/bin/env bash
# make migrations-manifest [FILES="db/schema/V_x.sql ..."]: releases new
# migrations by appending their digests to db/migrations.sha256 (sha256sum
# format, version order), every unlisted file or only FILES. Released
# migrations are immutable, since a database that applied one never applies
# it again: so this only appends, and refuses to run while a listed file
# differs from its line (restore it and put the change in a new migration),
# or to release a file whose version is not after the last released one (a
# database already migrated would apply it last, a fresh one in its place:
# two orders). Nothing is written unless every file can be released.
# `sha256sum -c db/migrations.sha256` checks the manifest by hand, and
# go test ./db in make test.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=db/migrations.sha256
touch "$manifest"

if [ -s "$manifest" ] && ! bad=$(sha256sum --quiet --strict -c "$manifest" 2>/dev/null); then
  printf 'error: released migrations differ from %s:\n%s\n' "$manifest" "$bad" >&2
  echo "released migrations are immutable: restore them and add a new migration instead" >&2
  exit 1
fi

# Every migration (or FILES) in version order, which is name order within
# the four folders dbmate reads together.
[ $# -gt 0 ] || set -- db/schema/* db/functions/* db/policies/* db/grants/*
last=$(tail -1 "$manifest" | sed -n 's|.*/\([0-9]\{14\}\)_.*|\1|p')
declare -A listed
while read -r _ path; do listed[$path]=1; done < "$manifest"
new=
while read -r version path; do
  [ -z "${listed[$path]:-}" ] || continue
  [ -f "$path" ] || { echo "error: $path: no such file" >&2; exit 1; }
  [[ $version =~ ^[0-9]{14}$ ]] || { echo "error: $path: not named VERSION_what_it_creates.sql" >&2; exit 1; }
  if [ -n "$last" ] && [ ! "$version" \> "$last" ]; then
    echo "error: $path: version $version is not after the last released migration ($last): rename it with a later version" >&2
    exit 1
  fi
  new+=$(sha256sum "$path")$'\n'
  last=$version
done < <(for f in "$@"; do
  f=$(realpath -m --relative-to=. "$f")
  printf '%s %s\n' "$(basename "$f" | cut -d_ -f1)" "$f"
done | sort -u)
printf '%s' "$new" >> "$manifest"
[ -z "$new" ] || printf 'released (commit %s with them):\n%s' "$manifest" "$new" | sed 's/^[0-9a-f]\{64\}  /  /'
[ -n "$new" ] || echo "no new migrations"
