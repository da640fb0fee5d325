#!/usr/bin/env bash
# postgres-image.sh builds the PostgreSQL 15 image that rehearse's tests and
# library scenarios run, without a registry: a Debian bookworm root file
# system made with debootstrap (--variant=minbase), Debian's postgresql
# package installed into it, and the tree imported with `docker import`.
#
# It is built once and kept under a tag that names this script's hash, so a
# changed script builds a new image and an unchanged one is never rebuilt.
# The build is also tagged rehearse-test/postgres:15, the name environment
# files and library scenarios use:
#
#   scripts/postgres-image.sh            build unless the tag exists; print the tag
#   scripts/postgres-image.sh --tag      print the tag only (nothing is built)
#
# The image runs the server as PID 1 (through a small entrypoint that
# creates the cluster when its data directory is empty, e.g. a fresh named
# volume), listening on all addresses with trust authentication: it is a
# throwaway sandbox, never a server to keep. psql in the container needs no
# flags (PGUSER=postgres, PGDATA and PATH are set).
#
# Needs root, debootstrap (apt-get install -y debootstrap) and Debian's
# mirror (DEBIAN_MIRROR, default http://deb.debian.org/debian).
set -euo pipefail

# The whole script is one function, read before it runs: editing the file
# while a build runs does not change what that build does.
main() {
self=$(readlink -f "$0")
hash=$(sha256sum "$self" | cut -c1-12)
tag="rehearse-test/postgres:15-$hash"
alias="rehearse-test/postgres:15"

if [ "${1:-}" = "--tag" ]; then
	echo "$tag"
	exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--tag]" >&2; exit 2; }

docker info >/dev/null 2>&1 || { echo "postgres-image: Docker is unreachable" >&2; exit 2; }

# Two test processes may ask at once: one builds, the other waits for it.
exec 9>"${TMPDIR:-/tmp}/rehearse-postgres-image.lock"
flock 9

if docker image inspect "$tag" >/dev/null 2>&1; then
	docker tag "$tag" "$alias"
	echo "$tag"
	exit 0
fi

command -v debootstrap >/dev/null 2>&1 || {
	echo "postgres-image: debootstrap is missing: apt-get install -y debootstrap" >&2
	exit 2
}
[ "$(id -u)" -eq 0 ] || { echo "postgres-image: debootstrap needs root" >&2; exit 2; }

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d "${TMPDIR:-/var/tmp}/rehearse-postgres-root.XXXXXX")
trap 'rm -rf --one-file-system "$root"' EXIT
chmod 755 "$root" # mktemp makes it 0700: the postgres user must reach its files

start=$(date +%s)
echo "postgres-image: debootstrap bookworm into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
	tail -n 20 "$root.log" >&2
	rm -f "$root.log"
	exit 1
}
rm -f "$root.log"

# Nothing starts services inside the chroot, and the package's own cluster
# is not made: the entrypoint makes one in the data directory it is given.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.d/rehearse.conf"

echo "postgres-image: apt-get install postgresql" >&2
chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
	apt-get install -y -qq --no-install-recommends postgresql-15 >"$root.log" 2>&1 || {
	tail -n 20 "$root.log" >&2
	rm -f "$root.log"
	exit 1
}
rm -f "$root.log"

cat >"$root/usr/local/bin/rehearse-postgres" <<'EOF'
#!/bin/sh
# rehearse-postgres: create the cluster if the data directory has none,
# then become the server (PID 1), as the postgres user. With --init it
# only creates the cluster: the image build does, so that a container
# starts in a second instead of running initdb first.
set -e
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	setpriv --reuid=postgres --regid=postgres --init-groups \
		initdb --no-sync --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
	echo "host all all all trust" >>"$PGDATA/pg_hba.conf"
	# A sandbox is thrown away: durability buys nothing and costs time.
	printf "listen_addresses = '*'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" >>"$PGDATA/postgresql.conf"
fi
[ "${1:-}" != --init ] || exit 0
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@"
EOF
chmod 755 "$root/usr/local/bin/rehearse-postgres"
pgbin=/usr/lib/postgresql/15/bin
path=$pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
chroot "$root" /usr/bin/env PATH="$path" PGDATA=/var/lib/postgresql/data LC_ALL=C /usr/local/bin/rehearse-postgres --init
rm -f "$root/usr/sbin/policy-rc.d"

# What a server does not need: documentation, package lists and caches.
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
	"$root"/usr/share/info/* "$root"/var/cache/debconf/*-old "$root"/var/log/*.log

tar --numeric-owner -C "$root" -c . | docker import \
	-c "ENV PATH=$path" \
	-c 'ENV PGDATA=/var/lib/postgresql/data' \
	-c 'ENV PGUSER=postgres' \
	-c 'ENV LANG=C.UTF-8' \
	-c 'EXPOSE 5432' \
	-c "LABEL rehearse.test-image=postgres rehearse.test-image.script=$hash" \
	-c 'ENTRYPOINT ["/usr/local/bin/rehearse-postgres"]' \
	-c 'CMD []' \
	- "$tag" >/dev/null
docker tag "$tag" "$alias"
# Builds of earlier versions of this script are not used any more (only
# their tags here: an image someone tagged elsewhere stays).
docker images --filter label=rehearse.test-image=postgres --format '{{.Repository}}:{{.Tag}}' |
	grep '^rehearse-test/postgres:15-' | grep -vxF "$tag" | xargs -r docker rmi >/dev/null || true
echo "postgres-image: built $tag in $(($(date +%s) - start)) s" >&2
echo "$tag"
}

main "$@"
exit
