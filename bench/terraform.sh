#!/usr/bin/env bash
# bench/terraform.sh: what does rehearse cost on top of terraform itself?
#
# Times `rehearse plan --dir FIXTURE` against the bare commands a CI job would
# otherwise run on a fresh checkout of the same fixture:
#   terraform init && terraform plan -out p && terraform show -json p
# and prints both medians and their ratio (goal: at most 1.10).
#
#   bench/terraform.sh                 # 15 runs each on examples/terraform
#   RUNS=30 FIXTURE=infra/ bench/terraform.sh
#   RESOURCES=300 bench/terraform.sh   # the example plus 300 more resources
#   MODULE=1 bench/terraform.sh        # plus a local module, so init is needed
#   REHEARSE=/tmp/rehearse-new bench/terraform.sh   # time that binary instead
#   BEFORE=/tmp/rehearse-old bench/terraform.sh     # and that one, interleaved
#
# rehearse plans without init when the directory needs none (the example
# uses only the builtin provider) or already has a fitting .terraform; with
# MODULE=1 the copy must run init, as the bare side does.
#
# Runs the sides in interleaved rounds timed with date, so a noisy neighbour
# on a shared machine hits them alike (HYPERFINE=1: hyperfine instead).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-15}
FIXTURE=$(cd "${FIXTURE:-examples/terraform}" && pwd)
TF=${REHEARSE_TERRAFORM:-$PWD/bin/terraform}
[ -x "$TF" ] || { echo "bench: no terraform at $TF: run make tools (or set REHEARSE_TERRAFORM)" >&2; exit 2; }
# Both sides without the update check (rehearse turns it off for its own
# terraform processes) and in automation mode.
export REHEARSE_TERRAFORM=$TF CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A larger plan shows the overhead at a realistic size: rehearse's cost is
# roughly fixed (process start, the copy, reading the plan), terraform's grows.
if [ "${RESOURCES:-0}" -gt 0 ] || [ -n "${MODULE:-}" ]; then
	cp -R "$FIXTURE" "$work/fixture"
	for i in $(seq "${RESOURCES:-0}"); do
		printf 'resource "terraform_data" "r%d" {\n  input = { n = %d, db = terraform_data.database.id }\n}\n' "$i" "$i"
	done >"$work/fixture/bench_extra.tf"
	if [ -n "${MODULE:-}" ]; then
		mkdir -p "$work/fixture/mod"
		printf 'resource "terraform_data" "m" {\n  input = "m"\n}\n' >"$work/fixture/mod/main.tf"
		printf 'module "m" {\n  source = "./mod"\n}\n' >"$work/fixture/bench_module.tf"
	fi
	FIXTURE=$work/fixture
fi
if [ -n "${REHEARSE:-}" ]; then
	cp "$REHEARSE" "$work/rehearse"
else
	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/rehearse" ./cmd/rehearse # as make build
fi

# Each bare run starts from a fresh copy without .terraform, as rehearse's
# isolated copy does, so both sides pay for the same init.
cat >"$work/bare.sh" <<SH
#!/usr/bin/env bash
set -euo pipefail
rm -rf "$work/bare" && cp -R "$FIXTURE" "$work/bare" && rm -rf "$work/bare/.terraform"
cd "$work/bare"
"$TF" init -input=false >/dev/null 2>&1
"$TF" plan -input=false -out p >/dev/null 2>&1
"$TF" show -json p >/dev/null 2>&1
SH
# Exit 1 (block) is a verdict; only 2 (could not judge) is a failure.
rehearse_sh() { # rehearse_sh BINARY SCRIPT
	cat >"$2" <<SH
#!/usr/bin/env bash
"$1" plan --dir "$FIXTURE" --format json >/dev/null 2>&1
rc=\$?; [ \$rc -le 1 ] || { echo "rehearse exited \$rc" >&2; exit \$rc; }
SH
	chmod +x "$2"
}
rehearse_sh "$work/rehearse" "$work/rehearse.sh"
if [ -n "${BEFORE:-}" ]; then
	cp "$BEFORE" "$work/rehearse-before"
	rehearse_sh "$work/rehearse-before" "$work/before.sh"
fi
chmod +x "$work/bare.sh"

# The sides run in interleaved rounds (one run of each per round), so load
# from the rest of a shared machine falls on all of them alike; HYPERFINE=1
# runs hyperfine instead (each side's runs back to back).
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
if [ -n "${HYPERFINE:-}" ]; then
	hyperfine --warmup 2 --runs "$RUNS" --export-json "$work/h.json" \
		-n rehearse "$work/rehearse.sh" -n terraform "$work/bare.sh"
	read -r r t < <(python3 -c 'import json,sys; r={x["command"]: x["median"]*1000 for x in json.load(open(sys.argv[1]))["results"]}; print(round(r["rehearse"]), round(r["terraform"]))' "$work/h.json")
else
	ms() { local s e; s=$(date +%s%N); "$1" || exit 2; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
	sides="rehearse bare${BEFORE:+ before}"
	for side in $sides; do ms "$work/$side.sh" >/dev/null; : >"$work/$side.ms"; done # warm the page cache
	for _ in $(seq "$RUNS"); do
		for side in $sides; do ms "$work/$side.sh" >>"$work/$side.ms"; done
	done
	r=$(median <"$work/rehearse.ms"); t=$(median <"$work/bare.ms")
	echo "rehearse runs (ms): $(tr '\n' ' ' <"$work/rehearse.ms")"
	echo "terraform runs (ms): $(tr '\n' ' ' <"$work/bare.ms")"
	[ -z "${BEFORE:-}" ] || echo "before runs (ms): $(tr '\n' ' ' <"$work/before.ms")"
fi

echo "fixture: $FIXTURE${RESOURCES:+ (+$RESOURCES resources)}${MODULE:+ (+a local module)} ($("$TF" version 2>/dev/null | head -n1), $RUNS runs each, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "rehearse plan --dir:            median ${r} ms"
echo "terraform init+plan+show -json: median ${t} ms"
awk -v r="$r" -v t="$t" 'BEGIN { printf "ratio: %.2fx (goal <= 1.10x)\n", r / t }'
if [ -n "${BEFORE:-}" ] && [ -z "${HYPERFINE:-}" ]; then
	b=$(median <"$work/before.ms")
	echo "before ($BEFORE):  median ${b} ms"
	awk -v r="$b" -v t="$t" 'BEGIN { printf "ratio before: %.2fx\n", r / t }'
fi
