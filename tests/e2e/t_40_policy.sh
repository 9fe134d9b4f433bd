# The policy file: only root may have written it, and a broken one denies.
POLDIR=$(dirname "$POLICY")
cp -p "$POLICY" "$T/policy.good"
restore_policy() {
	rm -rf "$POLICY"
	[[ -L $POLDIR ]] && rm -f "$POLDIR"
	[[ -d $POLDIR ]] || install -d -m 0755 "$POLDIR"
	chmod 0755 "$POLDIR" "$T/etc"
	chown root:root "$POLDIR" "$T/etc"
	cp -p "$T/policy.good" "$POLICY"
}
# unsafe_policy NAME EXPECTED-ERROR: every user, every action is refused.
unsafe_policy() {
	t "$1"
	run asuser $E2E_MNT "$OBSENV" list
	rc_is 4
	err_is "obsenv: $2"
	audit_has "$(rec error "$UID_MNT" $E2E_MNT).*action=list .*result=failed exit=4 error="
	run asuser $E2E_MNT "$OBSENV" check
	rc_is 4
	err_is "obsenv: $2"
	restore_policy
	unchanged
}

chown $E2E_MNT "$POLICY"
unsafe_policy "policy owned by a user" "$POLICY: file is owned by uid $UID_MNT, not root"
chmod 0666 "$POLICY"
unsafe_policy "policy mode 0666" "$POLICY: file is writable by group or others (mode 0666)"
chmod 0664 "$POLICY"
unsafe_policy "policy mode 0664" "$POLICY: file is writable by group or others (mode 0664)"
chmod 0777 "$POLDIR"
unsafe_policy "writable directory above the policy" "$POLDIR: directory is writable by group or others (mode 0777)"
chown $E2E_MNT "$T/etc"
unsafe_policy "user-owned directory two levels up" "$T/etc: directory is owned by uid $UID_MNT, not root"
mv "$POLICY" "$T/policy.real" && ln -s "$T/policy.real" "$POLICY"
unsafe_policy "policy is a symlink" "$POLICY: is a symlink"
rm -f "$T/policy.real"
mv "$POLDIR" "$T/obsenv.real" && ln -s "$T/obsenv.real" "$POLDIR"
unsafe_policy "policy directory is a symlink" "$POLDIR: directory is a symlink"
rm -rf "$T/obsenv.real"
rm -f "$POLICY" && mkfifo -m 0644 "$POLICY"
unsafe_policy "policy is a FIFO (no hang)" "$POLICY: not a regular file"
rm -f "$POLICY" && mkdir "$POLICY"
unsafe_policy "policy is a directory" "$POLICY: not a regular file"
rm -rf "$POLICY" && mknod -m 0644 "$POLICY" c 1 3
unsafe_policy "policy is a device" "$POLICY: not a regular file"
rm -f "$POLICY"
unsafe_policy "policy missing" "$POLICY: No such file or directory"
head -c 1048577 /dev/zero | tr '\0' '#' >"$POLICY"
unsafe_policy "policy over 1 MiB" "$POLICY: larger than 1048576 bytes"

# broken_policy NAME CONTENT FIRST-ERROR: any action is refused with the
# first problem; check lists them all.
broken_policy() {
	printf '%s' "$2" >"$POLICY"
	t "$1"
	run asuser $E2E_OBS "$OBSENV" list
	rc_is 4
	err_has "^obsenv: $POLICY:$3"
	audit_has "$(rec error "$UID_OBS" $E2E_OBS).*exit=4"
	run asuser $E2E_OBS "$OBSENV" check
	rc_is 4
	grep -qE -- "^$POLICY:$3" <<<"$err" || errs+=("check does not list: $3")
	restore_policy
}
GOOD=$(<"$T/policy.good")
broken_policy "malformed policy: tab" $'owner: x\n\troot: /x\n' "2:1: found a tab character that violates indentation"
broken_policy "malformed policy: two documents" "$GOOD"$'\n---\nowner: x\n' "[0-9]+:1: only one YAML document is allowed"
broken_policy "malformed policy: alias" "$GOOD"$'\nbase: &b x\n' "[0-9]+:7: anchors and aliases are not allowed"
broken_policy "malformed policy: duplicate key" "$GOOD"$'\nowner: root\n' "[0-9]+:1: duplicate key 'owner'"
broken_policy "malformed policy: unknown key" "$GOOD"$'\nallow_all: yes\n' "[0-9]+:1: unknown key 'allow_all' in the policy"
broken_policy "malformed policy: empty" "" " empty policy"
broken_policy "malformed policy: control character" $'owner: x\n\x01\n' "1:1: control characters are not allowed"
broken_policy "malformed policy: invalid UTF-8" $'owner: \xff\n' "1:1: invalid leading UTF-8 octet"
broken_policy "malformed policy: byte order mark" $'\xef\xbb\xbf'"$GOOD" "1:1: byte order mark is not allowed"
broken_policy "malformed policy: 100,000 nested brackets" "owner: $(printf '[%.0s' $(seq 100000))" "1:23: nested deeper than 16 levels"

t "malformed policy: NUL byte"
printf 'owner: x\n\0\nroot: /x\n' >"$POLICY"
run asuser $E2E_OBS "$OBSENV" list
rc_is 4
err_is "obsenv: $POLICY:2:1: NUL byte in file"
restore_policy

t "check lists every problem, like visudo -c"
printf 'owner: root\nroot: rel\nbogus: 1\n' >"$POLICY"
run asuser $E2E_OBS "$OBSENV" check
rc_is 4
[[ $(grep -c "^$POLICY:" <<<"$err") == 5 ]] || errs+=("expected 5 problems: $err")
err_has "^obsenv: $POLICY: 5 problems$"
restore_policy

t "check FILE reads with the caller's rights only"
run asuser $E2E_OUT "$OBSENV" check /etc/shadow
rc_is 4
err_is "obsenv: /etc/shadow: Permission denied"
audit_has "$(rec allow "$UID_OUT" $E2E_OUT).*action=check as=$E2E_OUT .*arg2=/etc/shadow"

t "check FILE on the user's own draft"
cp "$T/policy.good" "$T/draft.yaml" && chown $E2E_MNT "$T/draft.yaml" && chmod 0600 "$T/draft.yaml"
run asuser $E2E_MNT "$OBSENV" check "$T/draft.yaml"
rc_is 0
out_has "^$T/draft.yaml: OK$"
printf 'owner: no\n' >>"$T/draft.yaml"
run asuser $E2E_MNT "$OBSENV" check "$T/draft.yaml"
rc_is 4
err_has "draft.yaml:[0-9]+:1: duplicate key 'owner'"

t "check warns of what init and pull would refuse: SSH without known_hosts, a missing remote, the base file"
sed "s|^packages:|&\n  pkg08: {remote: $T/no-such-remote.git}\n  pkg09: {remote: \"git@example.org:obs/pkg09.git\"}|" \
	"$T/policy.good" >"$T/draft.yaml"
chown $E2E_MNT "$T/draft.yaml"
run asuser $E2E_MNT "$OBSENV" check "$T/draft.yaml"
rc_is 0
out_has "^warning: package 'pkg08': remote $T/no-such-remote.git does not exist$"
out_has "^warning: package 'pkg09': an SSH remote needs known_hosts in the policy; init and pull refuse it$"
out_has "^warning: $T/base_environment.yaml:.*pkg0[89] has no base pin$"
out_has "^$T/draft.yaml: OK$"
run asuser $E2E_MNT "$OBSENV" check
rc_is 0
out_lacks "^warning:"

t "check FILE on a FIFO does not hang"
mkfifo -m 0666 "$T/fifo.yaml"
run asuser $E2E_MNT "$OBSENV" check "$T/fifo.yaml"
rc_is 4
err_is "obsenv: $T/fifo.yaml: not a regular file"
unchanged
