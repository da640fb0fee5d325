#!/usr/bin/env bash
# Writes cmd/rehearse/default.pgo, the CPU profile `go build` optimizes the
# rehearse binary with (profile-guided optimization: hot calls inlined,
# hot paths laid out first). The profile is what `rehearse plan` does,
# BenchmarkVerdict (read, judge, render text and JSON), on the 100k plans
# of both shapes in bench/out (generated if missing). Re-run it after the
# reader or the verdict changes much; bench/README.md says what it gains.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
profiles=()
for shape in aws mixed; do
	plan=$OUT/plan-100000.json
	[ "$shape" = aws ] || plan=$OUT/plan-$shape-100000.json
	[ -s "$plan" ] || go run ./bench/genplan -shape "$shape" -n 100000 -o "$plan"
	prof=$OUT/pgo-$shape.pprof
	REHEARSE_BENCH_PLAN=$PWD/$plan go test -run '^$' -bench 'BenchmarkVerdict/file' -benchtime 4x \
		-cpuprofile "$prof" -o "$OUT/planjson.test" ./planners/terraform/planjson >/dev/null
	profiles+=("$prof")
done
go tool pprof -proto "${profiles[@]}" >cmd/rehearse/default.pgo
echo "wrote cmd/rehearse/default.pgo ($(wc -c <cmd/rehearse/default.pgo) bytes)"
