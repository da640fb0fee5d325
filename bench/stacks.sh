#!/usr/bin/env bash
# bench/stacks.sh: peak memory of one verdict over many stacks. rehearse
# reads the inputs in parallel, at most as many at once as there are CPUs,
# and drops each plan once judged, so the peak grows with the largest plans
# read at once, not with their sum. Generates plans of N resources (default
# 50000, about 140 MB each) in bench/out/, then prints the peak RSS and wall
# time of one plan alone, of two, and of four.
#
#   bench/stacks.sh
#   N=100000 bench/stacks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50000}
OUT=bench/out
BIN=${BIN:-$PWD/bin}
mkdir -p "$OUT"
if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time is missing; install Debian's time package: apt-get install -y time" >&2
	exit 2
fi
[ -x "$BIN/rehearse" ] || go build -o "$BIN/rehearse" ./cmd/rehearse
for seed in 1 2 3 4; do
	f=$OUT/stack-$N-$seed.json
	[ -s "$f" ] || go run ./bench/genplan -n "$N" -seed "$seed" -o "$f"
done
run() {
	local label=$1
	shift
	# Exit 1 (block) is the verdict on a generated plan, not a failure.
	/usr/bin/time -f "$label: %M KB peak RSS, %e s" -o "$OUT/time.txt" "$BIN/rehearse" plan --format json "$@" >/dev/null 2>"$OUT/stderr.txt" || [ $? -eq 1 ]
	tail -1 "$OUT/time.txt"
}
echo "rehearse plan, $N resources per plan, $(nproc) CPUs"
run "1 plan " "$OUT/stack-$N-1.json"
run "2 plans" "$OUT/stack-$N-1.json" "$OUT/stack-$N-2.json"
run "4 plans" "$OUT/stack-$N"-{1,2,3,4}.json
