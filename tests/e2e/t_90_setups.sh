# restore-setups: work in a user's own home, as that user, against
# everything a user or another user could have put there.
H_OBS=$(getent passwd $E2E_OBS | cut -d: -f6)
H_OUT=$(getent passwd $E2E_OUT | cut -d: -f6)
NB=$H_OBS/notebooks
SETUPS=$NB/.user_setups
WANT="source $T/env/auto_env_setup.sh"
as_obs() { setpriv --reuid=$E2E_OBS --regid="$(id -g $E2E_OBS)" --init-groups -- "$@"; }
# fresh_home: an empty notebooks directory of the observer's own.
fresh_home() { rm -rf "$NB"; as_obs mkdir -m 0755 "$NB"; }
backups() { find "$NB" -maxdepth 1 -name '.user_setups.bak-*' -printf '%f\n' | sort; }
no_leftovers() {
	[[ -z $(find "$NB" -maxdepth 1 -name '.*obsenv-new' | head -1) ]] || errs+=("a temporary file was left")
}
# refused WHAT MESSAGE: the observer's restore-setups fails with MESSAGE,
# writes nothing, and the refusal is audited.
refused() {
	local before
	before=$(cd "$NB" && ls -la --time-style=+ . | sort)
	run asuser $E2E_OBS "$OBSENV" restore-setups
	rc_is 1
	err_is "obsenv: $1"
	[[ $(cd "$NB" && ls -la --time-style=+ . | sort) == "$before" ]] || errs+=("notebooks changed")
	audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=restore-setups as=$E2E_OBS .*result=failed file=$SETUPS exit=1 error="
}

t "restore-setups makes a missing notebooks directory and the file"
rm -rf "$NB"
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 0
out_is_one="wrote a fresh $SETUPS from the policy: it sources $T/env/auto_env_setup.sh, which sets up the environment's current generation"
[[ $out == "$out_is_one" ]] || errs+=("stdout: $out")
[[ $(cat "$SETUPS" 2>&1) == "$WANT" ]] || errs+=("content: $(cat "$SETUPS" 2>&1)")
[[ $(stat -c '%a %U' "$NB") == "755 $E2E_OBS" ]] || errs+=("notebooks: $(stat -c '%a %U' "$NB")")
[[ $(stat -c '%a %U %h' "$SETUPS") == "644 $E2E_OBS 1" ]] || errs+=("file: $(stat -c '%a %U %h' "$SETUPS")")
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=restore-setups as=$E2E_OBS role=observers .*result=ok file=$SETUPS\$"

t "the user's own file is kept, intact, under a timestamped name"
printf 'my own setup\nwith two lines\n' >"$SETUPS"
chown $E2E_OBS "$SETUPS"
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 0
b=$(backups)
[[ $b =~ ^\.user_setups\.bak-[0-9]{8}T[0-9]{6}Z$ ]] || errs+=("backups: $b")
[[ $(cat "$NB/$b" 2>&1) == $'my own setup\nwith two lines' ]] || errs+=("backup content: $(cat "$NB/$b" 2>&1)")
[[ $(stat -c %U "$NB/$b") == "$E2E_OBS" ]] || errs+=("backup owner")
[[ $(cat "$SETUPS") == "$WANT" ]] || errs+=("content: $(cat "$SETUPS")")
out_has "^kept your previous $SETUPS as $b$"
audit_has "result=ok file=$SETUPS backup=$b\$"
no_leftovers

t "a file that is already what the policy writes: no new backup, nothing written"
ino=$(stat -c %i "$SETUPS")
n=$(backups | wc -l)
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 0
[[ $out == "$SETUPS is already what the policy writes: nothing changed, no backup made" ]] || errs+=("stdout: $out")
[[ $(backups | wc -l) == "$n" ]] || errs+=("a backup was made: $(backups)")
[[ $(stat -c %i "$SETUPS") == "$ino" ]] || errs+=("the file was replaced")
audit_has "action=restore-setups .*result=ok file=$SETUPS unchanged=yes\$"
no_leftovers

t "a backup name that exists already is never overwritten"
fresh_home
echo mine >"$SETUPS"
# Backups for this second and the next few already exist.
now=$(date +%s)
for s in 0 1 2 3 4; do
	n=.user_setups.bak-$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)
	echo "old backup $s" >"$NB/$n"
done
chown -R $E2E_OBS "$NB"
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 0
[[ $(backups | wc -l) == 6 ]] || errs+=("backups: $(backups)")
for s in 0 1 2 3 4; do
	n=.user_setups.bak-$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)
	[[ $(cat "$NB/$n") == "old backup $s" ]] || errs+=("$n was overwritten")
done
new=$(backups | grep -- '-2$')
[[ -n $new && $(cat "$NB/$new") == mine ]] || errs+=("no -2 backup with the user's content: $(backups)")

t "through sudo -u owner: the sudo user's home, written as that user"
fresh_home
run runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$OBSENV" restore-setups
rc_is 0
[[ $(stat -c '%U' "$SETUPS" 2>&1) == "$E2E_OBS" ]] || errs+=("owner: $(stat -c '%U' "$SETUPS" 2>&1)")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_OBS sudo_uid=$UID_OBS .*action=restore-setups as=$E2E_OBS role=observers .*result=ok file=$SETUPS"

t "the home comes from the password database, not from HOME"
fresh_home
install -d -o $E2E_OBS "$T/fakehome"
run asuser $E2E_OBS env HOME="$T/fakehome" "$OBSENV" restore-setups
rc_is 0
[[ -e $SETUPS && ! -e $T/fakehome/notebooks ]] || errs+=("wrote where HOME said")

t "a symlink at notebooks, to another user's notebooks, is refused"
rm -rf "$NB" "$H_OUT/notebooks"
runuser -u $E2E_OUT -- mkdir -p "$H_OUT/notebooks"
echo "out's own" | runuser -u $E2E_OUT -- tee "$H_OUT/notebooks/.user_setups" >/dev/null
as_obs ln -s "$H_OUT/notebooks" "$NB"
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 1
err_is "obsenv: $NB is a symbolic link, not a directory: obsenv will not use it"
[[ $(cat "$H_OUT/notebooks/.user_setups") == "out's own" && $(ls -A "$H_OUT/notebooks" | wc -l) == 1 ]] ||
	errs+=("the other user's notebooks changed")
[[ -L $NB ]] || errs+=("the symlink was touched")
audit_has "result=failed file=$SETUPS exit=1 error=\"$NB is a symbolic link"
rm -f "$NB"

t "a symlink at the file, to /etc/shadow, is refused"
fresh_home
as_obs ln -s /etc/shadow "$SETUPS"
refused "$SETUPS is a symbolic link, not a file: obsenv will not replace it"
unchanged

t "a symlink at the file, to another user's file, is refused"
fresh_home
as_obs ln -s "$H_OUT/notebooks/.user_setups" "$SETUPS"
refused "$SETUPS is a symbolic link, not a file: obsenv will not replace it"
[[ $(cat "$H_OUT/notebooks/.user_setups") == "out's own" ]] || errs+=("the other user's file changed")

t "a FIFO where the file should be is refused without blocking"
fresh_home
as_obs mkfifo "$SETUPS"
refused "$SETUPS is a FIFO, not a file: obsenv will not replace it"

t "a socket where the file should be is refused"
fresh_home
as_obs /usr/bin/python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SETUPS"
refused "$SETUPS is a socket, not a file: obsenv will not replace it"

t "a device where the file should be is refused"
fresh_home
mknod "$SETUPS" c 1 3 && chown $E2E_OBS "$SETUPS"
refused "$SETUPS is a device, not a file: obsenv will not replace it"

t "a directory where the file should be is refused"
fresh_home
as_obs mkdir "$SETUPS"
refused "$SETUPS is a directory, not a file: obsenv will not replace it"

t "a hard-linked file is not followed into another place"
fresh_home
echo "elsewhere" >"$H_OBS/elsewhere"
chown $E2E_OBS "$H_OBS/elsewhere"
as_obs ln "$H_OBS/elsewhere" "$SETUPS"
refused "$SETUPS has 2 hard links: obsenv will not replace it"
[[ $(cat "$H_OBS/elsewhere") == elsewhere ]] || errs+=("the other name's content changed")
rm -f "$H_OBS/elsewhere"

t "a hard link to another user's file (made by root) is refused"
fresh_home
ln "$H_OUT/notebooks/.user_setups" "$SETUPS"
refused "$SETUPS is owned by uid $UID_OUT, not by you: obsenv will not replace it"
[[ $(cat "$H_OUT/notebooks/.user_setups") == "out's own" ]] || errs+=("the other user's file changed")

t "a notebooks directory owned by another user is refused"
rm -rf "$NB"
install -d -m 0755 -o $E2E_OUT "$NB"
run asuser $E2E_OBS "$OBSENV" restore-setups
rc_is 1
err_is "obsenv: $NB is owned by uid $UID_OUT, not by you: obsenv will not write there"
[[ -z $(ls -A "$NB") ]] || errs+=("something was written")

t "a notebooks directory writable by everyone is refused"
rm -rf "$NB"
as_obs mkdir -m 0777 "$NB"
chmod 0777 "$NB"
refused "$NB is writable by everyone: obsenv will not write there"

t "a full disk leaves the old file, and no backup or temporary file"
fresh_home
mount -t tmpfs -o size=64k,uid=$UID_OBS,mode=0755 obsenv-e2e-full "$NB"
printf 'mine, before the disk filled\n' >"$SETUPS"
chown $E2E_OBS "$SETUPS"
as_obs dd if=/dev/zero of="$NB/fill" bs=4k 2>/dev/null
refused "cannot write the new $SETUPS: No space left on device"
[[ $(cat "$SETUPS") == "mine, before the disk filled" ]] || errs+=("the old file changed")
[[ -z $(backups) ]] || errs+=("a backup was left: $(backups)")
no_leftovers
umount "$NB"

t "another user cannot aim restore-setups at a third user's home"
fresh_home
# Not an observer: refused by the policy before anything is touched.
run asuser $E2E_OUT "$OBSENV" restore-setups
rc_is 3
err_is "obsenv: $E2E_OUT may not run 'restore-setups': no role in the policy allows it"
# A careless sudoers rule lets obse2e_out run env as the owner, and so
# rewrite SUDO_USER and SUDO_UID consistently: the kernel still says who
# ran sudo.
run runuser -u $E2E_OUT -- sudo -n -u $E2E_OWNER /usr/bin/env SUDO_USER=$E2E_OBS SUDO_UID=$UID_OBS "$OBSENV" restore-setups
rc_is 5
err_is "obsenv: started through sudo by uid $UID_OUT, but SUDO_UID says $UID_OBS"
[[ -z $(ls -A "$NB") ]] || errs+=("something was written in the observer's home")
audit_has "$(rec error "$UID_OWNER" $E2E_OWNER).*action=restore-setups .*result=failed exit=5"

t "never as the owner account, never as root"
e2e_alt_install
cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $T/env
base_file: $T/base_environment.yaml
user_setups: {path: notebooks/.user_setups, content: "x\n"}
packages:
  pkg00: {remote: $FX/remotes/pkg00.git}
roles:
  everyone: {users: [root, $E2E_OWNER], actions: [restore-setups]}
YAML
run asuser $E2E_OWNER "$ALT/obsenv" restore-setups
rc_is 3
err_is "obsenv: restore-setups never runs as the owner account $E2E_OWNER: run it as yourself, or through sudo -u $E2E_OWNER"
audit_has "$(rec deny "$UID_OWNER" $E2E_OWNER).*action=restore-setups .*result=failed exit=3"
run "$ALT/obsenv" restore-setups
rc_is 3
err_is "obsenv: restore-setups never runs as root: run it as the user whose setup it is"
[[ ! -e /root/notebooks/.user_setups ]] || errs+=("wrote in root's home")

t "without the setuid bit (reached only through sudo) it is refused, saying why"
fresh_home
install -D -m 0755 "$OBSENV" "$T/nosuid/obsenv"
run runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$T/nosuid/obsenv" restore-setups
rc_is 5
err_is "obsenv: restore-setups must become $E2E_OBS to write in their home, and obsenv is not installed setuid root"
[[ -z $(ls -A "$NB") ]] || errs+=("something was written")
audit_has "$(rec error "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_OBS .*action=restore-setups .*result=failed exit=5"
