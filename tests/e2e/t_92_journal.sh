# needs: 70
# The audit in a real systemd-journald (started here without systemd as
# PID 1, see e2e_journald): each record once, its facts as fields, and the
# recipes of obsenv(8), AUDIT, run as an auditor would run them.
# E2E_JOURNAL=1 started one already; otherwise it starts here.
[[ -n ${JOURNALD_PID:-} ]] || e2e_journald
# jc ARGS: journalctl on the test's journal, obsenv's entries only.
jc() { journalctl --directory="$JOURNAL" --no-pager SYSLOG_IDENTIFIER=obsenv "$@"; }
# recipe ARGS: a recipe of obsenv(8), AUDIT, as written there, on the test's journal.
recipe() { journalctl --directory="$JOURNAL" --no-pager "$@"; }
# jfield FIELD MATCHES...: that field of each matching entry, one a line.
jfield() {
	local f=$1
	shift
	jc "$@" -o export | awk -v f="$f=" 'index($0, f) == 1 { print substr($0, length(f) + 1) }'
}

t "the journal: obsenv is built with it and journald is running"
nm -D "$OBSENV" | grep -q ' sd_journal_sendv' || errs+=("$OBSENV is not linked with libsystemd")
[[ -n ${JOURNALD_PID:-} ]] && kill -0 "$JOURNALD_PID" || errs+=("systemd-journald did not start: $(cat "$T"/journald.*/journald.out 2>/dev/null)")

t "the journal: a revert through sudo, once, with its facts as fields"
# To a kept generation where pkg00 is elsewhere, so that the revert moves it.
to=
for d in "$T"/env/generations/*/; do
	[[ $(readlink -f "$d/pkg00") != "$(readlink -f "$T/env/pkg00")" ]] && to=$(basename "$d")
done
[[ -n $to ]] || errs+=("no kept generation differs from the current one")
run sudo_mnt revert "$to"
rc_is 0
g=$(gen_of) g=${g#generations/}
audit_count 1 "action=revert .*generation=$g result=ok"
# As export2lines.py writes a journal entry: no syslog stamp.
audit_has "^<85>obsenv\\[[0-9]+\\]: decision=allow uid=$UID_OWNER user=$E2E_OWNER sudo_user=$E2E_MNT .*action=revert .*result=ok"
e=$(jc OBSENV_ACTION=revert OBSENV_GENERATION="$g" -o export)
for f in "OBSENV_DECISION=allow" "OBSENV_RESULT=ok" "OBSENV_USER=$E2E_OWNER" "OBSENV_UID=$UID_OWNER" \
	"OBSENV_SUDO_USER=$E2E_MNT" "OBSENV_SUDO_UID=$UID_MNT" "OBSENV_ROLE=maintainers" "OBSENV_AS=$E2E_OWNER" \
	"SYSLOG_FACILITY=10" "PRIORITY=5" "_TRANSPORT=journal" "_UID=$UID_OWNER" \
	"OBSENV_PKG_PKG00=[0-9a-f]{40}\\.\\.$(commit_at pkg00)" "OBSENV_PACKAGE=pkg00" "OBSENV_REVERT_TO=[0-9]+"; do
	grep -qxE -- "$f" <<<"$e" || errs+=("no $f in the revert's entry: $e")
done
grep -qx "MESSAGE=.*generation=$g result=ok revert_to=[0-9]* pkg.pkg00=.*" <<<"$e" || errs+=("MESSAGE is not the record: $e")
[[ $(grep -c '^OBSENV_DECISION=' <<<"$e") == 1 ]] || errs+=("not one entry: $e")
grep -qx OBSENV_DRY_RUN=no <<<"$e" || errs+=("a real run does not say OBSENV_DRY_RUN=no: $e")

t "the journal: the decision, made as root before the drop, and the result, sent under seccomp"
# One process, the decision first: the result was sent after the drop, on
# the descriptor libsystemd made for the decision.
[[ $(jfield _PID OBSENV_ACTION=revert OBSENV_DECISION=allow | tail -2 | sort -u | wc -l) == 1 ]] ||
	errs+=("decision and result from different processes")
[[ $(jfield OBSENV_RESULT OBSENV_ACTION=revert | tail -1) == ok &&
	$(jc OBSENV_ACTION=revert -o export | grep -c '^OBSENV_') -gt 10 ]] || errs+=("no result entry")
# The kernel's word for the sender: the real uid.
[[ $(jfield _UID OBSENV_ACTION=revert | tail -2 | sort -u) == "$UID_OWNER" ]] ||
	errs+=("not sent by the owner account's process: $(jfield _UID OBSENV_ACTION=revert | tail -2)")

t "the journal: a dry run says so in a field"
run sudo_obs rollback --dry-run
rc_is 0
[[ $(jfield OBSENV_DRY_RUN OBSENV_ACTION=rollback OBSENV_RESULT=ok | tail -1) == yes ]] ||
	errs+=("no OBSENV_DRY_RUN=yes: $(jc OBSENV_ACTION=rollback -o export | tail -40)")

t "the journal: hostile arguments stay inside one escaped MESSAGE"
run asuser $E2E_OUT "$OBSENV" rollback $'x\ndecision=allow uid=0' $'\e]0;t\a%n%s' "$(head -c 100000 /dev/zero | tr '\0' A)"
rc_is 2
audit_count 1 "decision=error uid=$UID_OUT "
m=$(jfield MESSAGE OBSENV_USER=$E2E_OUT OBSENV_DECISION=error | tail -1)
[[ $m == "decision=error uid=$UID_OUT user=$E2E_OUT "*' arg2="x\x0adecision=allow uid=0" arg3="\x1b]0;t\x07%n%s" arg4="AAAA'*'...[100000 bytes]"'* ]] ||
	errs+=("MESSAGE: ${m:0:400}")
[[ $(jfield OBSENV_UID OBSENV_USER=$E2E_OUT OBSENV_DECISION=error | tail -1) == "$UID_OUT" ]] || errs+=("OBSENV_UID")

t "recipe: who rolled back last night"
# Off its base first, whatever the tests before left: the rollback below
# then switches, and changes pkg01 (the next recipe looks for that).
[[ $(deploy_of pkg01) != "$(base_of pkg01)" ]] || errs+=("the fixture's pkg01 has its base on deploy")
run sudo_mnt checkout pkg01 deploy
rc_is 0
[[ $(commit_at pkg01) == "$(deploy_of pkg01)" ]] || errs+=("pkg01 is not on deploy: $err")
run sudo_obs rollback
rc_is 0
[[ $(commit_at pkg01) == "$(base_of pkg01)" ]] || errs+=("the rollback did not put pkg01 on its base: $err")
rb=$(recipe SYSLOG_IDENTIFIER=obsenv OBSENV_ACTION=rollback OBSENV_RESULT=ok OBSENV_DRY_RUN=no \
	--since yesterday -o cat)
grep -q "sudo_user=$E2E_OBS .*action=rollback .*generation=[0-9]* result=ok" <<<"$rb" || errs+=("not found: $rb")
grep -q "dry_run=yes" <<<"$rb" && errs+=("the recipe shows a dry run: $rb")
grep -qv "action=rollback" <<<"$rb" && errs+=("another action: $rb")

t "recipe: every denial of a user, directly or through sudo"
run asuser $E2E_OBS "$OBSENV" init
rc_is 3
run sudo_obs revert
rc_is 3
d=$(recipe SYSLOG_IDENTIFIER=obsenv OBSENV_DECISION=deny OBSENV_USER=$E2E_OBS \
	+ SYSLOG_IDENTIFIER=obsenv OBSENV_DECISION=deny OBSENV_SUDO_USER=$E2E_OBS -o cat)
grep -q "^decision=deny uid=$UID_OBS user=$E2E_OBS .*action=init " <<<"$d" || errs+=("direct denial missing: $d")
grep -q "^decision=deny uid=$UID_OWNER user=$E2E_OWNER sudo_user=$E2E_OBS .*action=revert " <<<"$d" ||
	errs+=("denial through sudo missing: $d")
grep -qv "^decision=deny " <<<"$d" && errs+=("not a denial: $d")
grep -q "user=$E2E_OUT " <<<"$d" && errs+=("someone else's: $d")

t "recipe: everything that changed one package"
c=$(recipe SYSLOG_IDENTIFIER=obsenv OBSENV_PACKAGE=pkg01 -o cat)
grep -q "action=revert .* pkg.pkg01=" <<<"$c" && grep -q "action=rollback .* pkg.pkg01=" <<<"$c" ||
	errs+=("revert and rollback of pkg01 missing: $c")
grep -qvE " (pkg|pin)\.pkg01=" <<<"$c" && errs+=("a record that did not change pkg01: $c")

t "recipe: what a generation came from"
# A new generation, made by a revert to one where pkg00 is elsewhere.
to=
for d in "$T"/env/generations/*/; do
	[[ $(readlink -f "$d/pkg00") != "$(readlink -f "$T/env/pkg00")" ]] && to=$(basename "$d")
done
run sudo_mnt revert "$to"
rc_is 0
g=$(gen_of) g=${g#generations/}
w=$(recipe SYSLOG_IDENTIFIER=obsenv OBSENV_GENERATION="$g" -o verbose)
grep -q "OBSENV_ACTION=revert" <<<"$w" && grep -q "OBSENV_SUDO_USER=$E2E_MNT" <<<"$w" &&
	grep -q "OBSENV_REVERT_TO=$to" <<<"$w" &&
	grep -qE "OBSENV_PKG_PKG00=[0-9a-f]{40}\.\.$(commit_at pkg00)" <<<"$w" || errs+=("generation $g: $w")
# Every entry it shows made that generation (t_72's second environment,
# with E2E_JOURNAL=1, numbers its own).
[[ $(grep -c "OBSENV_GENERATION=$g$" <<<"$w") == $(grep -c "OBSENV_ACTION=" <<<"$w") ]] ||
	errs+=("an entry of another generation: $w")

t "no journal: a dead journald's socket, then none; every record still goes to syslog, once"
kill "$JOURNALD_PID" && wait "$JOURNALD_PID" 2>/dev/null
# The records are read from the syslog receiver again.
JOURNALD_PID= AUDIT=$AUDIT_SYSLOG
MARK=$(wc -l <"$AUDIT")
[[ -S /run/systemd/journal/socket ]] || errs+=("journald removed its socket; this test needs it left behind")
run asuser $E2E_OBS "$OBSENV" status
rc_is 0
audit_count 1 "$(rec allow "$UID_OBS" $E2E_OBS).*action=status .*result=ok"
audit_has "^<85>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} obsenv\\[[0-9]+\\]: decision=allow uid=$UID_OBS .*action=status .*result=ok"
rm -f /run/systemd/journal/socket
run asuser $E2E_OBS "$OBSENV" status
rc_is 0
audit_count 2 "$(rec allow "$UID_OBS" $E2E_OBS).*action=status .*result=ok"
e2e_journald_stop
# The suite goes on with a journal when it started with one.
if [[ ${E2E_JOURNAL:-} == 1 ]]; then
	e2e_journald || errs+=("journald did not start again")
fi
