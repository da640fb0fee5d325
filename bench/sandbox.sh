#!/bin/sh
# Times a sandbox run of bench/sandbox-env.yaml (up, snapshot, change,
# snapshot, down: 3 services) with rehearse, then the same steps scripted
# with the docker CLI on the same image, and prints both and the ratio.
#
#   bench/sandbox.sh [runs]      # default 5; needs Docker and busybox-static
set -eu
cd "$(dirname "$0")/.."
N=${1:-5}
IMG=rehearse-test/busybox:1

# The Go benchmark's TestMain builds the image if it is missing.
go_ns=$(go test -run '^$' -bench '^BenchmarkRun$' -benchtime "${N}x" ./planners/container |
	awk '/^BenchmarkRun/ {print $3}')

now() { date +%s%N; }
wait_log() { until docker logs "$1" 2>&1 | grep -q ready; do sleep 0.05; done; }
snapshot() {
	for s in db cache web; do
		docker inspect -f '{{.Id}} {{.Created}} {{.Image}} {{.State.Running}}' "$run-$s" >/dev/null
	done
	docker volume inspect "$run-dbdata" >/dev/null
	docker cp "$run-db:/data" - | tar -tvf - | awk '$1 ~ /^-/ {n++; b += $3} END {print n, b}' >/dev/null
	docker exec "$run-db" sh -c 'ls /data | wc -l' >/dev/null
}
cli_once() {
	run=bench-cli-$$
	l="--label rehearse.run=$run"
	start=$(date +%s)
	docker network create $l "$run" >/dev/null
	docker volume create $l "$run-dbdata" >/dev/null
	docker run -d --init $l --name "$run-db" --network "$run" --network-alias db \
		--label env=prod -v "$run-dbdata:/data" "$IMG" sh -c 'echo ready; exec sleep 600' >/dev/null &
	docker run -d --init $l --name "$run-cache" --network "$run" --network-alias cache \
		"$IMG" sh -c 'echo ready; exec sleep 600' >/dev/null &
	wait
	wait_log "$run-db"
	wait_log "$run-cache"
	docker exec "$run-db" sh -c 'for i in $(seq 1 100); do echo row-$i > /data/r$i; done'
	docker run -d --init $l --name "$run-web" --network "$run" --network-alias web \
		-e MODE=a "$IMG" sh -c 'echo ready; exec sleep 600' >/dev/null
	wait_log "$run-web"
	snapshot
	docker exec "$run-db" rm -f /data/r1
	docker rm -f "$run-web" >/dev/null
	docker run -d --init $l --name "$run-web" --network "$run" --network-alias web \
		-e MODE=b "$IMG" sh -c 'echo ready; exec sleep 600' >/dev/null
	wait_log "$run-web"
	docker events --since "$start" --until "$(date +%s)" --filter "label=rehearse.run=$run" >/dev/null
	snapshot
	docker rm -f "$run-db" "$run-cache" "$run-web" >/dev/null
	docker volume rm "$run-dbdata" >/dev/null
	docker network rm "$run" >/dev/null
}
total=0
i=0
while [ "$i" -lt "$N" ]; do
	t0=$(now)
	cli_once
	total=$((total + $(now) - t0))
	i=$((i + 1))
done
cli_ns=$((total / N))

awk -v g="$go_ns" -v c="$cli_ns" 'BEGIN {
	printf "rehearse sandbox run: %.3f s\n", g / 1e9
	printf "docker CLI script:    %.3f s\n", c / 1e9
	printf "ratio:                %.2fx\n", g / c
}'
