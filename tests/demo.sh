#!/bin/bash
# The demo behind the README's first command: a small, self-contained
# observing environment, obsenv installed setuid root into a temporary
# prefix, and real users running it, as they would. Everything it creates
# is removed at the end. Must run as root.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "demo: run as root" >&2; exit 1; }
if [[ ${1:-} != --inner ]]; then
	made=0
	[[ -e /dev/log ]] || { : >/dev/log && made=1; }
	rc=0
	unshare --mount --propagation private bash "$0" --inner || rc=$?
	((made)) && rm -f /dev/log
	exit $rc
fi
T=$(mktemp -d /tmp/obsenv-demo.XXXXXX)
chmod 0755 "$T"
. "$SRC/tests/e2e/lib.sh"
trap 'e2e_cleanup; rm -rf "$T"' EXIT
e2e_users
e2e_install
e2e_policy
e2e_sudoers
e2e_logsink

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
show() { say "$1"; shift; "$@" || echo "(exit status $?)"; }

echo "obsenv demo: installed setuid root as $OBSENV"
echo "policy: $POLICY (owner $E2E_OWNER; observer $E2E_OBS; maintainer $E2E_MNT; outsider $E2E_OUT)"
show "obsenv check   # as $E2E_OBS" asuser $E2E_OBS "$OBSENV" check
show "obsenv list    # as $E2E_OBS, an observer" asuser $E2E_OBS "$OBSENV" list
show "sudo -u $E2E_OWNER obsenv list   # as $E2E_MNT, through sudo" \
	runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" list
show "LD_PRELOAD=/tmp/evil.so GIT_DIR=/etc obsenv list   # as $E2E_OUT: ignored" \
	asuser $E2E_OUT env LD_PRELOAD=/tmp/evil.so GIT_DIR=/etc "$OBSENV" list
chmod 0666 "$POLICY"
show "obsenv list    # after chmod 0666 on the policy: refused" asuser $E2E_OBS "$OBSENV" list
chmod 0644 "$POLICY"
sleep 0.2
say "the audit records (authpriv, ident obsenv)"
grep 'obsenv\[' "$AUDIT" | sed 's/^<[0-9]*>//'
