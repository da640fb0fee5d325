#!/usr/bin/env bash
# bench/hook.sh: what does `rehearse hook` cost an agent?
#
#   1. the fast path: `rehearse hook claude` answering `ls -la`, the whole
#      process, exec'd by bench/hooktime (target: at most 15 ms, median);
#   2. a terraform apply: the hook planning and judging it, against a bare
#      `terraform plan` in the same directory (target: at most 1.2x), on a
#      fixture of terraform_data resources with local state; bare plan,
#      `rehearse plan --dir` and the hook interleaved round by round, wall
#      and CPU time (GNU time, /usr/bin/time);
#   3. the package inits on the hook's path (GODEBUG=inittrace=1), slowest
#      first, averaged over INIT_RUNS runs, and when main starts.
#
# The machine's load and number of processes are printed with the figures:
# on a shared machine the wall time follows the load, the CPU time (user +
# system) much less. The binary is built as make build builds it (static,
# -trimpath, -s -w).
#
#   bench/hook.sh                   # 30 runs of the fast path, 10 of the plans
#   RUNS=50 PLAN_RUNS=20 bench/hook.sh
#   FAST_ONLY=1 bench/hook.sh         # the fast path and the inits alone
#   RESOURCES="12 300" bench/hook.sh  # fixture sizes (default: 12 and 300)
#
# Uses hyperfine when installed (apt-get install -y hyperfine), else a loop
# timed with date +%s%N. Prints medians in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
PLAN_RUNS=${PLAN_RUNS:-10}
INIT_RUNS=${INIT_RUNS:-20}
RESOURCES=${RESOURCES:-12 300}
TF=${REHEARSE_TERRAFORM:-$PWD/bin/terraform}
[ -x "$TF" ] || { echo "bench: no terraform at $TF: run make tools (or set REHEARSE_TERRAFORM)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${REHEARSE:-}" ]; then # REHEARSE=PATH: time that binary instead of building one
	cp "$REHEARSE" "$work/rehearse"
else
	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/rehearse" ./cmd/rehearse
fi
mkdir -p "$work/bin"
ln -s "$TF" "$work/bin/terraform"
export PATH="$work/bin:$PATH" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

event() { # event CMD DIR: a Claude Code PreToolUse event
	printf '{"session_id":"b","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"%s"},"cwd":"%s"}\n' "$1" "$2"
}

# median CMD: the median wall time of CMD (a shell line) in ms.
median() {
	local runs=$1 cmd=$2
	if command -v hyperfine >/dev/null; then
		hyperfine -w 3 -r "$runs" --export-json "$work/h.json" "$cmd" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
	else
		local ts=()
		for _ in $(seq 3); do bash -c "$cmd" >/dev/null 2>&1 || true; done
		for _ in $(seq "$runs"); do
			local s e
			s=$(date +%s%N)
			bash -c "$cmd" >/dev/null 2>&1 || true
			e=$(date +%s%N)
			ts+=($(( (e - s) / 1000 )))
		done
		printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f\n", a[int((NR+1)/2)]/1000}'
	fi
}

# fastpath ARGS…: the median wall time, its 10th percentile and the median
# CPU time (user + system) of `rehearse ARGS…` with the ls event on stdin,
# RUNS runs, each process exec'd by bench/hooktime (no shell in between,
# nothing subtracted).
fastpath() {
	"$work/hooktime" -n "$RUNS" -event "$work/ls.json" -- "$work/rehearse" "$@" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["median"], v["p10"], v["cpu"] }'
}

machine() { echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) processes"; }

echo "## rehearse hook: $(go version | cut -d' ' -f3), $(nproc) cores, $(machine)"
echo

mkdir -p "$work/empty"
event "ls -la" "$work/empty" >"$work/ls.json"
go build -o "$work/hooktime" ./bench/hooktime
read -r fast fastp10 fastcpu < <(fastpath hook claude)
read -r version versionp10 versioncpu < <(fastpath --version)
met=met
awk -v m="$fast" 'BEGIN { exit !(m > 15) }' && met=MISSED
echo "| what ($RUNS runs) | median wall (ms) | 10th percentile (ms) | median CPU, user + system (ms) |"
echo "|---|---:|---:|---:|"
echo "| \`rehearse hook claude\` answering \`ls -la\` (whole process; target 15: $met) | $fast | $fastp10 | $fastcpu |"
echo "| \`rehearse --version\` (process start and package inits alone) | $version | $versionp10 | $versioncpu |"
echo
echo "After the fast path: $(machine)."
echo

# The inits: each package's mean over INIT_RUNS runs, the slowest first,
# their sum, and when main starts (the end of the last init, from process
# start).
for _ in $(seq "$INIT_RUNS"); do
	GODEBUG=inittrace=1 "$work/rehearse" hook claude <"$work/ls.json" 2>&1 >/dev/null |
		awk '/^init / { at = $3; sub(/^@/, "", at); if (at + $5 > end) end = at + $5; print $5, $2 } END { print end, "MAIN" }'
done | awk -v n="$INIT_RUNS" '
	$2 == "MAIN" { main += $1; next }
	{ t[$2] += $1; sum += $1 }
	END { for (k in t) printf "%.3f %s\n", t[k] / n, k; printf "%.2f SUM\n%.2f MAIN\n", sum / n, main / n }' >"$work/inits"
echo "Package inits on the hook's path, mean of $INIT_RUNS runs (GODEBUG=inittrace=1): $(awk '$2 == "SUM" {print $1}' "$work/inits") ms in all; main starts at $(awk '$2 == "MAIN" {print $1}' "$work/inits") ms. The slowest:"
echo
grep -v ' SUM$\| MAIN$' "$work/inits" | sort -rn | head -8 | awk '{printf "    %6.3f ms  %s\n", $1, $2}'
echo
[ -z "${FAST_ONLY:-}" ] || exit 0

# interleave RUNS CMD...: one run of each command per round, round after
# round, so whatever else the machine does falls on all of them alike (the
# apply rows compare commands of a second or more on shared cores). Prints
# one line per command: median wall (ms) and mean CPU, user + system of the
# whole process tree (ms; GNU time, 10 ms resolution).
interleave() {
	local runs=$1 k c s e
	shift
	for k in $(seq $#); do : >"$work/t$k"; done
	for c in "$@"; do bash -c "$c" >/dev/null 2>&1 || true; done
	for _ in $(seq "$runs"); do
		k=0
		for c in "$@"; do
			k=$((k + 1))
			s=$(date +%s%N)
			/usr/bin/time -f '%U %S' -o "$work/cpu" bash -c "$c || true" >/dev/null 2>&1
			e=$(date +%s%N)
			echo "$(((e - s) / 1000)) $(cat "$work/cpu")" >>"$work/t$k"
		done
	done
	for k in $(seq $#); do
		sort -n "$work/t$k" | awk '{w[NR] = $1 / 1000; c += ($2 + $3) * 1000} END {printf "%.1f %.0f\n", w[int((NR + 1) / 2)], c / NR}'
	done
}

echo "Applies ($PLAN_RUNS interleaved rounds; target: hook ≤ 1.2× the bare plan):"
echo
echo "| resources | bare \`terraform plan\` (ms) | \`rehearse plan --dir\` (ms) | hook on \`terraform apply\` (ms) | hook ÷ bare plan | bare plan CPU (ms) | hook CPU (ms) | hook ÷ bare, CPU |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $RESOURCES; do
	dir="$work/tf-$n"
	mkdir -p "$dir"
	for i in $(seq "$n"); do printf 'resource "terraform_data" "r%d" {\n  input = "v%d"\n}\n' "$i" "$i"; done >"$dir/main.tf"
	(cd "$dir" && terraform init -input=false -no-color >/dev/null 2>&1 && terraform apply -auto-approve -input=false -no-color >/dev/null 2>&1)
	printf 'resource "terraform_data" "extra" {\n  input = "new"\n}\n' >>"$dir/main.tf"
	event "terraform apply -auto-approve" "$dir" >"$work/apply-$n.json"
	# The hook must allow it, or the timing is of something else.
	out=$("$work/rehearse" hook claude <"$work/apply-$n.json")
	[ -z "$out" ] || { echo "bench: the hook did not allow the benign apply: $out" >&2; exit 1; }
	{
		read -r bare barecpu
		read -r runner _
		read -r hook hookcpu
	} < <(interleave "$PLAN_RUNS" "cd $dir && terraform plan -input=false -lock=false -no-color" \
		"$work/rehearse plan --dir $dir" "$work/rehearse hook claude < $work/apply-$n.json")
	echo "| $n | $bare | $runner | $hook | $(awk -v h="$hook" -v b="$bare" 'BEGIN {printf "%.2fx", h/b}') | $barecpu | $hookcpu | $(awk -v h="$hookcpu" -v b="$barecpu" 'BEGIN {printf "%.2fx", h/b}') |"
done
echo
echo "After the applies: $(machine)."
