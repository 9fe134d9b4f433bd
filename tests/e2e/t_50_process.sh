# Descriptors, limits, umask and argv the caller hands us.
t "stdin, stdout and stderr closed"
asuser $E2E_OBS "$OBSENV" list <&- >&- 2>&-
rc=$?
rc_is 0
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*result=ok"
unchanged

t "stderr closed with a broken policy: the error never lands in a file"
printf 'owner: [\n' >"$T/broken.yaml"
asuser $E2E_OBS "$OBSENV" check "$T/broken.yaml" 2>&-
rc=$?
rc_is 4
[[ $(cat "$T/broken.yaml") == "owner: [" ]] || errs+=("the policy file was written to")
unchanged

t "inherited descriptors are closed"
exec 7>"$T/inherited" 8<"$T"
run asuser $E2E_OBS bash -c 'exec "$0" list' "$OBSENV"
exec 7>&- 8<&-
rc_is 0
[[ -s $T/inherited ]] && errs+=("something was written to an inherited descriptor")

t "stdout is /dev/full: reported, not silent"
run asuser $E2E_OBS bash -c 'exec "$0" list >/dev/full' "$OBSENV"
rc_is 1
err_is "obsenv: cannot write output: No space left on device"
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*result=failed exit=1 error=\"cannot write output"

t "stdout is a closed pipe: an error, not a SIGPIPE death"
run asuser $E2E_OBS bash -c '{ sleep 0.3; "$0" list; echo "rc=$?" >&2; } | true' "$OBSENV"
err_has "^obsenv: cannot write output: Broken pipe$"
err_has "^rc=1$"

t "tiny rlimits: raised, or refused before anything is done"
# The sanitizer build maps terabytes of shadow memory before main(): no
# RLIMIT_AS for it (the shipped build is tested with one).
as=--as=100000000:100000000
[[ -n ${SAN_LOG:-} ]] && as=
run asuser $E2E_OBS prlimit --fsize=0:0 --cpu=1:1 $as --core=unlimited --nproc=1:1 "$OBSENV" list
# Output to a file cannot grow past RLIMIT_FSIZE unless root may raise it.
if grep -q '^CapBnd:.*' /proc/self/status && (( 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24 & 1 )); then
	rc_is 0
	out_has "^roles: +observers$"
else
	rc_is 1 # stderr is a file too: the audit record has the reason
	audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*result=failed exit=1 error=\"cannot write output: File too large\""
fi
run asuser $E2E_OBS prlimit --nofile=4:4 "$OBSENV" list
if (( 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24 & 1 )); then
	rc_is 0
else
	rc_is 1
	err_is "obsenv: the open file limit (4) is too low: obsenv needs 64"
	audit_has "$(rec error "$UID_OBS" $E2E_OBS).*exit=1 error=\"the open file limit"
fi
[[ -e core || -e $T/core ]] && errs+=("a core file was written")

t "umask 000 and 777"
run asuser $E2E_OBS bash -c 'umask 000; exec "$0" list' "$OBSENV"
rc_is 0
run asuser $E2E_OBS bash -c 'umask 777; exec "$0" list' "$OBSENV"
rc_is 0

t "argc == 0 is refused"
run asuser $E2E_OBS "$T/build/execv0" "$OBSENV"
rc_is 2
err_is "obsenv: refusing to run with an empty argument list"
audit_has "$(rec error "$UID_OBS" $E2E_OBS).*argc=0 .*exit=2"

t "argv[0] == \"\" is refused"
run asuser $E2E_OBS "$T/build/execv0" --empty "$OBSENV"
rc_is 2
err_is "obsenv: refusing to run with an empty argument list"

t "a 131,071-byte argument"
run asuser $E2E_OBS "$OBSENV" list "$(head -c 131071 /dev/zero | tr '\0' A)"
rc_is 2
err_is "obsenv: argument 2 is longer than 4096 bytes"
# Quoted: the mark has a space.
audit_has "arg2=\"A{256}\\.\\.\\.\\[131071 bytes\\]\""

t "thousands of arguments"
run asuser $E2E_OBS "$OBSENV" list $(seq 5000)
rc_is 2
err_is "obsenv: too many arguments (5001; at most 63)"
audit_has "argc=5001 .*arg16=15 "
audit_count 1 "argc=5001"

t "names starting with '-' and -- tricks"
run asuser $E2E_OBS "$OBSENV" --policy=/tmp/evil.yaml list
rc_is 2
err_is "obsenv: unknown option '--policy=/tmp/evil.yaml'"
run asuser $E2E_OBS "$OBSENV" list -- -x
rc_is 2
err_is "obsenv: list: unexpected argument '-x' (usage: obsenv list)"
run asuser $E2E_OBS "$OBSENV" -- list
rc_is 2

t "control bytes, escapes, %n and invalid UTF-8: one escaped record"
run asuser $E2E_OBS "$OBSENV" $'li\nst' $'\e]0;x\a' '%n%s' $'\xff\xfe' 'a\' '"q'
rc_is 2
err_is "obsenv: unknown action 'li?st' (try 'obsenv --help')"
audit_count 1 "$(rec error "$UID_OBS" $E2E_OBS)"
audit_has "arg1=\"li\\\\x0ast\" arg2=\"\\\\x1b\\]0;x\\\\x07\" arg3=%n%s arg4=\"\\\\xff\\\\xfe\" arg5=\"a\\\\\\\\\" arg6=\"\\\\\"q\""
