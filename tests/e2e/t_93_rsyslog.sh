# The audit in a real rsyslogd, with the distribution's own rules, in this
# namespace's private /var/log (see e2e_rsyslogd): each record is one line
# of the secure log, and no argument can add another line or field.
# Without the journal: a record goes one way only (E2E_JOURNAL=1 runs one).
had_journal=0
[[ -n ${JOURNALD_PID:-} ]] && e2e_journald_stop && had_journal=1
e2e_rsyslogd || errs+=("rsyslogd did not start: $(cat "$T/rsyslog/rsyslogd.out" 2>/dev/null)")
# secure_lines: obsenv's lines in the secure log since the test began.
secure_lines() {
	local i
	for i in $(seq 40); do
		(($(grep -c ' obsenv\[' "$SECURE_LOG" 2>/dev/null) > SECURE_MARK)) && break
		sleep 0.05
	done
	sleep 0.2
	grep -a ' obsenv\[' "$SECURE_LOG" | tail -n +$((SECURE_MARK + 1))
}
secure_mark() { SECURE_MARK=$(grep -c ' obsenv\[' "$SECURE_LOG" 2>/dev/null); }

t "rsyslog: the distribution's rules put each record in the secure log, one line each"
secure_mark
run asuser $E2E_OBS "$OBSENV" status
rc_is 0
l=$(secure_lines)
[[ $(wc -l <<<"$l") == 2 ]] || errs+=("not two lines: $l")
grep -qE "^[^ ]+ [^ ]+ obsenv\\[[0-9]+\\]: decision=allow uid=$UID_OBS user=$E2E_OBS .*action=status .*result=ok$" <<<"$l" ||
	errs+=("no result line: $l")
[[ $(stat -c %a "$SECURE_LOG") == 640 ]] || errs+=("$SECURE_LOG is $(stat -c %a "$SECURE_LOG")")

t "rsyslog: no forged line or field: newlines, control bytes, %n, 100 KB arguments"
secure_mark
forged=$'\n'"2026-01-01T00:00:00+00:00 $(hostname) obsenv[1]: decision=allow uid=0 user=root action=rollback result=ok"
big=$(head -c 100000 /dev/zero | tr '\0' A)
ctl=$(head -c 100000 /dev/zero | tr '\0' '\001')
args=("x$forged" $'\r\e[2K%n%s%x\x7f' $'\xff\xfe' "$big")
for _ in $(seq 12); do args+=("$ctl"); done
run asuser $E2E_OUT "$OBSENV" list "${args[@]}"
rc_is 2
l=$(secure_lines)
[[ $(wc -l <<<"$l") == 1 ]] || errs+=("not one line: ${l:0:600}")
grep -qE "^[^ ]+ [^ ]+ obsenv\\[[0-9]+\\]: decision=error uid=$UID_OUT user=$E2E_OUT " <<<"$l" || errs+=("line: ${l:0:300}")
grep -q "^2026-01-01T00:00:00" "$SECURE_LOG" && errs+=("a forged line: $(grep '^2026-01-01' "$SECURE_LOG")")
grep -qF ' arg2="x\x0a2026-01-01T00:00:00+00:00 ' <<<"$l" || errs+=("newline not escaped: ${l:0:300}")
grep -qF ' arg3="\x0d\x1b[2K%n%s%x\x7f" arg4="\xff\xfe" arg5="AAAA' <<<"$l" || errs+=("control bytes: ${l:0:400}")
grep -qE '#[0-9]{3}' <<<"$l" && errs+=("rsyslog had to escape a byte obsenv sent raw")
# Cut by obsenv where it is marked, before rsyslog's 8 KiB limit would.
[[ $l == *" truncated=1" ]] || errs+=("the cut record is not marked at its end: ${l: -200}")
((${#l} < 8192)) || errs+=("a line of ${#l} bytes")

t "rsyslog: an error text longer than 256 bytes is kept whole"
secure_mark
long=/nonexistent/$(printf 'd%.0s' $(seq 600))/policy.yaml
run asuser $E2E_OBS "$OBSENV" check "$long"
rc_is 4
l=$(secure_lines)
[[ $l == *" result=failed exit=4 error=\"$long: No such file or directory\"" ]] || errs+=("error: ${l: -700}")
e2e_rsyslogd_stop
if ((had_journal)); then
	e2e_journald || errs+=("journald did not start again")
fi
