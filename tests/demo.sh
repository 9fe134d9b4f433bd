#!/bin/bash
# The demo behind the README's first command: a small, self-contained
# observing environment, obsenv installed setuid root into a temporary
# prefix, and real users running it, as they would. Everything it creates
# is removed at the end. Must run as root.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "demo: run as root" >&2; exit 1; }
. "$SRC/tests/e2e/lib.sh"
e2e_namespace "$0" "$@"
T=$(mktemp -d /tmp/obsenv-demo.XXXXXX)
chmod 0755 "$T"
trap 'e2e_cleanup; rm -rf "$T"' EXIT
e2e_users
e2e_install
e2e_fixture
e2e_policy
e2e_sudoers
e2e_logsink

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
show() { say "$1"; shift; "$@" || echo "(exit status $?)"; }

echo "obsenv demo: installed setuid root as $OBSENV"
echo "policy: $POLICY; environment: $T/env, owned by $E2E_OWNER"
echo "users: $E2E_OBS (observer), $E2E_MNT (maintainer), $E2E_OUT (outsider)"
show "obsenv list   # as $E2E_OBS" asuser $E2E_OBS "$OBSENV" list
show "sudo -u $E2E_OWNER obsenv init   # as $E2E_MNT" \
	runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" init
show "obsenv status   # as $E2E_OBS" asuser $E2E_OBS "$OBSENV" status
show "obsenv rollback   # as $E2E_OUT: refused" asuser $E2E_OUT "$OBSENV" rollback
show "sudo -u $E2E_OWNER obsenv rollback   # as $E2E_OBS, at 3 a.m." \
	runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$OBSENV" rollback
show "obsenv status   # as $E2E_OBS" asuser $E2E_OBS "$OBSENV" status
show "ls -l $T/env/pkg00 $T/env/current" ls -l "$T/env/pkg00" "$T/env/current"
sleep 0.2
say "the audit records (authpriv, ident obsenv)"
grep 'obsenv\[' "$AUDIT" | grep result= | sed 's/^<[0-9]*>//'
