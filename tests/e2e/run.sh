#!/bin/bash
# obsenv end-to-end tests: the installed setuid binary, run as real users
# (setpriv, runuser, real sudo), against real files, with the audit records
# read raw from /dev/log, or with E2E_JOURNAL=1 from a real journald. Must
# run as root on a machine where users may be created. Ends with "N passed,
# N failed".
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if [[ $(id -u) != 0 ]]; then
	echo "e2e: must run as root"
	echo "0 passed, 1 failed"
	exit 1
fi

# Descriptors inherited from whatever started the suite (a lock held by a
# wrapper, a CI runner's pipes) would reach obsenv before its hygiene runs
# and skew the tests of descriptor limits: close every one above 2.
# No redirection on the loop: bash would keep a copy of stderr in a high
# descriptor for it, the loop would close that copy, and stderr would be
# gone for the rest of the run. 255 is bash's own hold on this script.
fds=(/proc/$$/fd/*)
for fd in "${fds[@]##*/}"; do
	((fd > 2 && fd != 255)) && [[ -e /proc/$$/fd/$fd ]] && eval "exec $fd>&-"
done
unset fds fd
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
e2e_namespace "$0" "$@"
T=$(mktemp -d /tmp/obsenv-e2e.XXXXXX)
chmod 0755 "$T"
trap 'e2e_cleanup; rm -rf "$T"' EXIT
setup_failed() {
	echo "e2e: set-up failed: $1"
	echo "0 passed, 1 failed"
	exit 1
}
e2e_users || setup_failed "creating users"
e2e_install || setup_failed "building and installing obsenv"
e2e_fixture || setup_failed "building the fixture (make-fixture)"
e2e_policy || setup_failed "writing the policy"
e2e_sudoers || setup_failed "installing the sudoers drop-in"
e2e_logsink || setup_failed "starting the syslog receiver"
# E2E_JOURNAL=1: every record is read from a real journald instead.
if [[ ${E2E_JOURNAL:-} == 1 ]]; then
	e2e_journald || setup_failed "starting systemd-journald"
fi
cc -shared -fPIC -DMARKER="\"$T/pwned\"" -o "$T/libevil.so" "$SRC/tests/e2e/evil.c" ||
	setup_failed "building the hostile library"
chmod 0755 "$T/libevil.so"
UID_OBS=$(id -u $E2E_OBS) UID_MNT=$(id -u $E2E_MNT) UID_OUT=$(id -u $E2E_OUT)
UID_OWNER=$(id -u $E2E_OWNER)

# Root-owned canaries: no attack may change them.
echo "canary" >"$T/canary"
canaries() { sha256sum "$POLICY" "$T/canary" /etc/shadow /etc/passwd; }
CANARY_SUMS=$(canaries)

pass=0 fail=0 NAME= errs=()
finish() {
	[[ -z $NAME ]] && return
	if ((${#errs[@]} == 0)); then
		pass=$((pass + 1))
		echo "ok - $NAME"
	else
		fail=$((fail + 1))
		echo "not ok - $NAME"
		printf '    %s\n' "${errs[@]}"
	fi
	NAME=
}
t() {
	finish
	NAME=$1
	errs=()
	mark_now
}
# mark_now: the records from here on are what audit_has looks at. With a
# journal, a record it could not take still comes to the syslog receiver
# (obsenv falls back): both are read.
mark_now() {
	MARK=$(wc -l <"$AUDIT")
	if [[ -n ${JOURNALD_PID:-} ]]; then
		e2e_journal_read
		MARK=$(wc -l <"$AUDIT") SYSLOG_MARK=$(wc -l <"$AUDIT_SYSLOG")
	fi
}
# run [asuser USER | sudo_obs | sudo_mnt] CMD...: sets rc, out, err (a hung command is killed after 20 s).
run() {
	case $1 in
	asuser) set -- setpriv --reuid="$2" --regid="$(id -g "$2")" --init-groups --reset-env -- "${@:3}" ;;
	sudo_obs) set -- runuser -u "$E2E_OBS" -- sudo -n -u "$E2E_OWNER" "$OBSENV" "${@:2}" ;;
	sudo_mnt) set -- runuser -u "$E2E_MNT" -- sudo -n -u "$E2E_OWNER" "$OBSENV" "${@:2}" ;;
	esac
	timeout -s KILL 20 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(<"$T/out")
	err=$(<"$T/err")
}
rc_is() { [[ $rc == "$1" ]] || errs+=("exit $rc, expected $1; stderr: $err"); }
out_has() { grep -qE -- "$1" <<<"$out" || errs+=("stdout lacks /$1/: $out"); }
out_lacks() { ! grep -qE -- "$1" <<<"$out" || errs+=("stdout has /$1/: $out"); }
err_is() { [[ $err == "$1" ]] || errs+=("stderr is: $err"$'\n'"    expected: $1"); }
err_has() { grep -qE -- "$1" <<<"$err" || errs+=("stderr lacks /$1/: $err"); }
# The records this test produced (waits for the receiver to catch up).
# The receiver writes datagrams in the order they came: once a marker of
# our own, sent now, is in the file, so is every record sent before it.
# The marker's line has no "obsenv[" and is left out.
records() {
	local i tok
	if [[ -n ${JOURNALD_PID:-} ]]; then
		e2e_journal_sync
		tail -n +$((SYSLOG_MARK + 1)) "$AUDIT_SYSLOG" | grep 'obsenv\['
	else
		tok="e2e-sync: $BASHPID.$EPOCHREALTIME"
		if logger --socket-errors=on -u "$T/log.sock" -t e2e-sync -- "${tok#e2e-sync: }"; then
			for ((i = 0; i < 500; i++)); do
				tail -n +$((MARK + 1)) "$AUDIT" | grep -qF -- "$tok" && break
				sleep 0.01
			done
		else
			sleep 2
		fi
	fi
	tail -n +$((MARK + 1)) "$AUDIT" | grep 'obsenv\[' | grep -v '\]: e2e: '
}
audit_has() {
	local r
	r=$(records)
	grep -qE -- "$1" <<<"$r" || errs+=("no audit record /$1/ in:"$'\n'"$r")
	[[ -z $r ]] && return 0
	grep -q 'RAW(' <<<"$r" && errs+=("unescaped byte in audit record: $r")
	# authpriv (10) * 8 + notice (5) or warning (4)
	grep -qvE '^<8[45]>' <<<"$r" && errs+=("record not at authpriv.notice/warning: $r")
	return 0
}
audit_count() {
	local n
	n=$(records | grep -cE -- "$2")
	[[ $n == "$1" ]] || errs+=("$n audit records /$2/, expected $1")
}
unchanged() { [[ $(canaries) == "$CANARY_SUMS" ]] || errs+=("a root-owned canary changed"); }
not_pwned() { [[ ! -e $T/pwned ]] || errs+=("the hostile library ran inside obsenv"); rm -f "$T/pwned"; }
# A record begins with the decision and the real caller.
rec() { echo "obsenv\\[[0-9]+\\]: decision=$1 uid=$2 user=$3 "; }

# E2E_ONLY="70 90": only those files (for work on one part; CI runs all),
# and the files they build on: a file that starts from another's state
# says so on a line "# needs: 70 72", and those run first (newest file
# first here, so that what a needed file needs is seen too).
only=" ${E2E_ONLY:-} "
files=("$SRC"/tests/e2e/t_*.sh)
for ((i = ${#files[@]} - 1; i >= 0; i--)); do
	f=${files[i]} n=${f##*/t_} n=${n%%_*}
	[[ $only == *" $n "* ]] || continue
	for d in $(sed -n 's/^# needs: //p' "$f"); do
		[[ $only == *" $d "* ]] || { only+="$d " && echo "# t_$n needs t_$d: it runs too"; }
	done
done
for f in "$SRC"/tests/e2e/t_*.sh; do
	n=${f##*/t_} n=${n%%_*}
	[[ -n ${E2E_ONLY:-} && $only != *" $n "* ]] && continue
	# The test files have variables of their own (n among them).
	e2e_file=${f##*/} e2e_started=$SECONDS
	# shellcheck source=/dev/null
	. "$f"
	echo "# ${e2e_file%.sh} took $((SECONDS - e2e_started)) s"
done
finish

t "canaries unchanged after every test"
unchanged
if [[ -n ${SAN_LOG:-} ]]; then
	t "no ASan or UBSan report from any run of the sanitizer build"
	for f in "$SAN_LOG"/*; do
		[[ -e $f ]] && errs+=("$(basename "$f"): $(head -c 3000 "$f")")
	done
fi
finish
echo "$pass passed, $fail failed"
((fail == 0))
