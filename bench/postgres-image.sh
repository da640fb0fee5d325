#!/usr/bin/env bash
# postgres-image.sh times the PostgreSQL test image's build: cold (a copy
# of scripts/postgres-image.sh with one more line, so its hash and tag are
# new and nothing is cached but Debian's mirror) and cached (the real
# script, whose tag exists after `make postgres-image`). The cold build's
# image is removed afterwards; the cached one is kept, as always.
#
#   bench/postgres-image.sh        # prints one line per measurement
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp scripts/postgres-image.sh "$tmp/postgres-image.sh"
echo "# bench copy $(date +%s%N)" >>"$tmp/postgres-image.sh"
cold_tag=$("$tmp/postgres-image.sh" --tag)
real_tag=$(scripts/postgres-image.sh)   # built if missing, before timing
# The copy's build moves rehearse-test/postgres:15 and removes the other
# rehearse-test/postgres:15-* tags: keep the real build under another name.
docker tag "$real_tag" rehearse-bench/postgres-keep:1

start=$(date +%s.%N)
"$tmp/postgres-image.sh" >/dev/null
cold=$(echo "$(date +%s.%N) - $start" | bc)
docker tag rehearse-bench/postgres-keep:1 "$real_tag"
docker rmi "$cold_tag" rehearse-bench/postgres-keep:1 >/dev/null
scripts/postgres-image.sh >/dev/null # tags rehearse-test/postgres:15 again

start=$(date +%s.%N)
scripts/postgres-image.sh >/dev/null
cached=$(echo "$(date +%s.%N) - $start" | bc)

printf 'postgres image, cold build: %.1f s\n' "$cold"
printf 'postgres image, cached:     %.2f s\n' "$cached"
printf 'cores: %s, load: %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
