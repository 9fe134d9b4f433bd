#!/bin/bash
# The README's first command as a stage of make check: the demo exits 0,
# shows the real job (an init, a refusal, a rollback, the audit records),
# and leaves nothing behind (accounts, sudoers drop-in, temporary
# directory, log receiver). Ends with the summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
before=$(ls -d /tmp/obsenv-demo.* 2>/dev/null)
# Into a file: a process the demo failed to stop would hold a pipe open.
log=$(mktemp)
bash tests/demo.sh >"$log" 2>&1
rc=$?
out=$(cat "$log")
rm -f "$log"
passed=0 failed=0
check() { # NAME TEST...
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name"
		failed=$((failed + 1))
	fi
}
has() { grep -qE "$1" <<<"$out"; }
check "the demo exits 0" test $rc = 0
check "init as the maintainer through sudo" has "action=init as=obse2e_owner .*result=ok"
check "the outsider is refused" has "obse2e_out may not run 'rollback'"
check "the observer's rollback switches" has "^rolled back 3 packages: generation 2 is current$"
check "no demo account is left" bash -c '! getent passwd obse2e_owner obse2e_obs obse2e_mnt obse2e_out >/dev/null'
check "no sudoers drop-in is left" test ! -e /etc/sudoers.d/obsenv-e2e
check "no temporary directory is left" test "$(ls -d /tmp/obsenv-demo.* 2>/dev/null)" = "$before"
check "no log receiver is left" bash -c '! pgrep -f "obsenv-demo\..*/logsink" >/dev/null'
((rc == 0)) || printf '%s\n' "$out" | tail -20
echo "$passed passed, $failed failed"
((failed == 0))
