#!/usr/bin/env bash
# bench/run.sh: rehearse on generated 10k and 100k plans of both shapes
# (aws: updates change a tag; mixed: 18-60 attributes of every type,
# updates change them all), against jq and opa eval doing the least they
# can (count the planned deletes), where they are installed, in the same
# run. Whole-process wall time and peak RSS from /usr/bin/time -v, median
# of RUNS runs (default 3). Plans go to bench/out/ (gitignored).
#
#   make bench            # or: bench/run.sh
#   RUNS=5 SIZES="100000" SHAPES=mixed bench/run.sh
#   SIZES="100000 300000" bench/run.sh    # the linear-growth check
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=${SIZES:-"10000 100000"}
SHAPES=${SHAPES:-"aws mixed"}
OUT=bench/out
BIN=${BIN:-$PWD/bin}
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time is missing; install Debian's time package: apt-get install -y time" >&2
	exit 2
fi
[ -x "$BIN/rehearse" ] || go build -o "$BIN/rehearse" ./cmd/rehearse
OPA=$(command -v opa || true)
[ -x "$BIN/opa" ] && OPA=$BIN/opa
JQ=$(command -v jq || true)

# measure NAME CMD...: prints "wall_s rss_kb" medians over RUNS runs.
measure() {
	local walls=() rsss=() i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -v -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" || {
			rc=$?
			# rehearse exits 1 on block: a result, not a failure.
			if [ "$rc" -gt 1 ]; then
				echo "bench: $* failed (exit $rc):" >&2
				cat "$OUT/stderr.txt" "$OUT/time.txt" >&2
				exit 2
			fi
		}
		walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(j=1;j<=n;j++) s=s*60+p[j]; print s}' "$OUT/time.txt")")
		rsss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")")
	done
	local w r
	w=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	r=$(printf '%s\n' "${rsss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$w $r"
}

cat >"$OUT/deletes.rego" <<'REGO'
package bench

deletes := count([rc | rc := input.resource_changes[_]; rc.change.actions[_] == "delete"])
REGO

[ -x "$OUT/genplan" ] || go build -o "$OUT/genplan" ./bench/genplan
rows=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for shape in $SHAPES; do
	for n in $SIZES; do
		plan=$OUT/plan-$n.json
		[ "$shape" = aws ] || plan=$OUT/plan-$shape-$n.json
		if [ ! -s "$plan" ]; then
			echo "bench: generating $plan" >&2
			"$OUT/genplan" -shape "$shape" -n "$n" -o "$plan"
		fi
		mb=$(du -m "$plan" | cut -f1)
		echo "bench: $shape, $n resources ($mb MB), $RUNS runs each" >&2
		read -r rw rr < <(measure "$BIN/rehearse" plan "$plan")
		rows+=("$shape|$n|$mb|rehearse plan (full verdict, text)|$rw|$rr|$rw|$rr")
		read -r jw jr < <(measure "$BIN/rehearse" plan --format json "$plan")
		rows+=("$shape|$n|$mb|rehearse plan --format json|$jw|$jr|$rw|$rr")
		if [ -n "$JQ" ]; then
			read -r w r < <(measure "$JQ" '[.resource_changes[] | select(.change.actions | index("delete"))] | length' "$plan")
			rows+=("$shape|$n|$mb|jq $($JQ --version) (count deletes)|$w|$r|$rw|$rr")
		fi
		if [ -n "$OPA" ]; then
			read -r w r < <(measure "$OPA" eval -d "$OUT/deletes.rego" -i "$plan" --format raw data.bench.deletes)
			rows+=("$shape|$n|$mb|opa eval $("$OPA" version | awk '/^Version/ {print $2}') (count deletes)|$w|$r|$rw|$rr")
		fi
	done
done

printf '\n| shape | resources | MB | command | wall (s) | peak RSS (MiB) | wall ÷ rehearse | RSS ÷ rehearse |\n'
printf '|---|---:|---:|---|---:|---:|---:|---:|\n'
for row in "${rows[@]}"; do
	IFS='|' read -r shape n mb name w r rw rr <<<"$row"
	awk -v shape="$shape" -v n="$n" -v mb="$mb" -v name="$name" -v w="$w" -v r="$r" -v rw="$rw" -v rr="$rr" \
		'BEGIN { printf "| %s | %s | %s | %s | %.2f | %.0f | %.1f× | %.1f× |\n", shape, n, mb, name, w, r/1024, w/rw, r/rr }'
done
printf '\nmedian of %d runs; %s; load average at the start: %s, at the end: %s\n' "$RUNS" "$(nproc) CPUs" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)"
