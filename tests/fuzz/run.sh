#!/bin/bash
# tests/fuzz/run.sh BUILD SECONDS TARGET...: each libFuzzer target for
# SECONDS, as many at once as the machine has cores (each is one process
# on one core), so that a check run spends the same fuzzing time per
# target in less wall time. Fails on the first target that finds
# something, printing the end of its log.
set -uo pipefail
build=$1 secs=$2
shift 2
jobs=$(nproc 2>/dev/null || echo 1)
one() {
	local t=$1 log=$build/fuzz/$1.log
	mkdir -p "$build/fuzz/corpus-$t"
	ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/fuzz_$t" -max_total_time="$secs" \
		-max_len=65536 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/$t-" "$build/fuzz/corpus-$t" "tests/fuzz/corpus/$t" 2>"$log"
}
declare -A pid_of=()
failed=
for t in "$@"; do
	while ((${#pid_of[@]} >= jobs)); do
		wait -n -p done_pid
		rc=$?
		for k in "${!pid_of[@]}"; do [[ ${pid_of[$k]} == "$done_pid" ]] && { ((rc)) && failed+=" $k"; unset "pid_of[$k]"; }; done
	done
	echo "fuzz $t: $secs s"
	one "$t" &
	pid_of[$t]=$!
done
for k in "${!pid_of[@]}"; do wait "${pid_of[$k]}" || failed+=" $k"; done
for t in "$@"; do
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "$build/fuzz/$t.log" | tail -3 | sed "s/^/$t: /"
done
for t in $failed; do
	echo "fuzz $t FOUND SOMETHING:"
	tail -40 "$build/fuzz/$t.log"
done
[[ -z $failed ]]
