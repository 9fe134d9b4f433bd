# The installed binary really is setuid root, on a mount that honours it.
t "installed setuid root on a suid mount"
[[ $(stat -c '%a %U %G' "$OBSENV") == "4755 root root" ]] || errs+=("mode/owner: $(stat -c '%a %U %G' "$OBSENV")")
findmnt -no OPTIONS -T "$OBSENV" | grep -qw nosuid && errs+=("$OBSENV is on a nosuid mount")
run asuser $E2E_OBS "$OBSENV" list
rc_is 0
audit_has "$(rec allow "$UID_OBS" $E2E_OBS)euid=0 "

t "--version names the compiled-in policy"
run asuser $E2E_OUT "$OBSENV" --version
rc_is 0
out_has "^obsenv [0-9.]+$"
out_has "^policy: $POLICY$"

t "--help lists the actions"
run asuser $E2E_OUT "$OBSENV" --help
rc_is 0
out_has "^  check \[FILE\] +validate"
out_has "^  list +show what you may do"

t "check as every user"
for u in $E2E_OBS $E2E_MNT $E2E_OUT $E2E_OWNER; do
	mark_now
	run asuser "$u" "$OBSENV" check
	rc_is 0
	out_has "^$POLICY: OK$"
	audit_has "$(rec allow "$(id -u "$u")" "$u").*action=check .*result=ok"
done

if [[ -n ${SAN_LOG:-} ]]; then
	# Without this, a clean sanitizer run could mean the runtime was absent.
	t "the installed obsenv is the ASan+UBSan build, its options compiled in"
	readelf -dW "$OBSENV" | grep -q 'NEEDED.*libasan' || errs+=("no ASan runtime in $OBSENV")
	readelf -dW "$OBSENV" | grep -q 'NEEDED.*libubsan' || errs+=("no UBSan runtime in $OBSENV")
	nm "$OBSENV" | grep -q ' T __asan_default_options$' || errs+=("no compiled-in ASan options")
	[[ $(stat -c '%a' "$SAN_LOG") == 1777 ]] || errs+=("report directory not 1777")
fi
