# The environment is the attacker's: nothing in it changes what obsenv
# reads, loads or runs.
mkdir -p "$T/evillib" "$T/fakebin" "$T/evilhome" "$T/gconv"
cp "$T/libevil.so" "$T/evillib/libyaml-0.so.2"
cp "$T/libevil.so" "$T/evillib/libcap.so.2"
for p in git ssh sh; do printf '#!/bin/sh\ntouch %s/pwned\n' "$T" >"$T/fakebin/$p"; chmod 755 "$T/fakebin/$p"; done
printf '[core]\n\tsshCommand = touch %s/pwned\n[include]\n\tpath = /etc/shadow\n' "$T" >"$T/evilhome/.gitconfig"
printf 'module INTERNAL EVIL// %s/libevil 1\nmodule EVIL// INTERNAL %s/libevil 1\n' "$T" "$T" >"$T/gconv/gconv-modules"
cp "$T/libevil.so" "$T/gconv/libevil.so"
mkfifo "$T/tzfifo"
chmod -R a+rX "$T/evillib" "$T/fakebin" "$T/evilhome" "$T/gconv"
REF=$(asuser $E2E_OBS "$OBSENV" list)

t "LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT are not honoured"
run asuser $E2E_OBS env LD_PRELOAD="$T/libevil.so" LD_LIBRARY_PATH="$T/evillib" LD_AUDIT="$T/libevil.so" "$OBSENV" list
rc_is 0
[[ $out == "$REF" ]] || errs+=("output changed")
not_pwned
# The dynamic loader strips LD_* for a setuid program before main() runs.
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*result=ok"

t "LD_PRELOAD through sudo is not honoured"
run runuser -u $E2E_OBS -- env LD_PRELOAD="$T/libevil.so" sudo -n -u $E2E_OWNER "$OBSENV" list
rc_is 0
not_pwned

t "GIT_* variables, HOME and XDG_CONFIG_HOME change nothing"
run asuser $E2E_OBS env GIT_DIR=/etc GIT_WORK_TREE=/ GIT_OBJECT_DIRECTORY=/tmp GIT_ALTERNATE_OBJECT_DIRECTORIES=/tmp \
	GIT_CONFIG_GLOBAL="$T/evilhome/.gitconfig" GIT_CONFIG_PARAMETERS="'core.sshCommand=touch $T/pwned'" \
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.sshCommand GIT_CONFIG_VALUE_0="touch $T/pwned" \
	GIT_SSH_COMMAND="touch $T/pwned" GIT_SSH="$T/fakebin/ssh" GIT_ASKPASS="$T/fakebin/sh" \
	GIT_TRACE="$T/trace" HOME="$T/evilhome" XDG_CONFIG_HOME="$T/evilhome" "$OBSENV" list
rc_is 0
[[ $out == "$REF" ]] || errs+=("output changed")
[[ -e $T/trace ]] && errs+=("GIT_TRACE was honoured")
not_pwned
audit_has "env_ignored=\"?GIT_DIR,GIT_WORK_TREE,"

t "PATH with a fake git, ssh and sh is never used"
run asuser $E2E_OBS env PATH="$T/fakebin" "$OBSENV" list
rc_is 0
not_pwned

t "TZ and TZDIR naming a FIFO or a secret do not hang or leak"
run asuser $E2E_OBS env TZ="$T/tzfifo" TZDIR="$T" "$OBSENV" list
rc_is 0
run asuser $E2E_OBS env TZ=/etc/shadow "$OBSENV" list
rc_is 0
audit_has "env_ignored=TZ"

t "the PwnKit recipe (GCONV_PATH, CHARSET, LC_ALL, NLSPATH, LOCPATH) does nothing"
run asuser $E2E_OBS env GCONV_PATH="$T/gconv" CHARSET=EVIL LC_ALL=C.EVIL LANG=xx_XX.EVIL NLSPATH="$T/%N" \
	LOCPATH="$T/gconv" POSIXLY_CORRECT=1 "$OBSENV" check --
rc_is 0
out_has "OK$"
not_pwned

t "100,000 variables and one 128 KiB variable"
big=$(head -c 131000 /dev/zero | tr '\0' x)
# Not env(1): it adds variables one by one, in time that grows with the
# square of their number (15 s here), and the test would time that.
run asuser $E2E_OBS python3 -c 'import os, sys
os.execve(sys.argv[1], sys.argv[1:], {"V%d" % i: "x" for i in range(100000)})' "$OBSENV" list
rc_is 0
run asuser $E2E_OBS env BIG="$big" "$OBSENV" list
rc_is 0
unchanged
