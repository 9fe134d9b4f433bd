# Who is calling, and what the policy lets them do.
t "list as an observer"
run asuser $E2E_OBS "$OBSENV" list
rc_is 0
out_has "^you are: +$E2E_OBS \\(uid $UID_OBS\\)$"
out_has "^roles: +observers$"
out_has "^    status rollback history diff   \\(as $E2E_OWNER\\)$"
out_has "^    restore-setups   \\(as $E2E_OBS\\)$"
out_lacks "pin|pull|also granted"
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=list as=$E2E_OBS .*result=ok"

t "list as a maintainer shows every action"
run asuser $E2E_MNT "$OBSENV" list
rc_is 0
out_has "^roles: +maintainers$"
out_has "^    init status rollback pin checkout pull history revert diff freeze thaw follow verify gc   \\(as $E2E_OWNER\\)$"
out_has "^    pull --accept-rewrite PKG --reason TEXT   \\(accept a rewritten deploy branch\\)$"
out_lacks "also granted"

t "list as an outsider: nothing but check and list"
run asuser $E2E_OUT "$OBSENV" list
rc_is 0
out_has "^roles: +none$"
out_has "^    check list   \\(everyone\\)$"
out_lacks "\\(as $E2E_OWNER\\)"
audit_has "$(rec allow "$UID_OUT" $E2E_OUT).*action=list"

t "list as the owner account (the timer)"
run runuser -u $E2E_OWNER -- "$OBSENV" list
rc_is 0
out_has "^you are: +$E2E_OWNER "
out_has "^roles: +timer$"
out_has "^    pull   \\(as $E2E_OWNER\\)$"
out_lacks "also granted"

t "SUDO_* spoofed without sudo, by a user, are ignored"
run asuser $E2E_OUT env SUDO_USER=$E2E_MNT SUDO_UID="$UID_MNT" SUDO_GID=0 USER=$E2E_MNT LOGNAME=$E2E_MNT "$OBSENV" list
rc_is 0
out_has "^you are: +$E2E_OUT \\(uid $UID_OUT\\)$"
out_has "^roles: +none$"
audit_has "$(rec allow "$UID_OUT" $E2E_OUT)"
records | grep -q sudo_user && errs+=("spoofed sudo_user recorded")

t "SUDO_* spoofed by the owner account without sudo are ignored"
run runuser -u $E2E_OWNER -- env SUDO_USER=$E2E_MNT SUDO_UID="$UID_MNT" "$OBSENV" list
rc_is 0
out_has "^you are: +$E2E_OWNER "
out_has "^roles: +timer$"
records | grep -q sudo_user && errs+=("spoofed sudo_user recorded")

t "through real sudo: the human caller is the sudo user"
run runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$OBSENV" list
rc_is 0
out_has "^you are: +$E2E_OBS \\(uid $UID_OBS\\), through sudo as $E2E_OWNER$"
out_has "^roles: +observers$"
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_OBS sudo_uid=$UID_OBS .*action=list"

t "through real sudo with SUDO_UID=0 injected: refused"
run runuser -u $E2E_OUT -- sudo -n -u $E2E_OWNER /usr/bin/env SUDO_UID=0 "$OBSENV" list
rc_is 5
err_is "obsenv: started through sudo by uid $UID_OUT, but SUDO_UID says 0"
audit_has "$(rec error "$UID_OWNER" $E2E_OWNER).*result=failed exit=5 error="

t "through real sudo with SUDO_UID=-1 injected: refused"
run runuser -u $E2E_OUT -- sudo -n -u $E2E_OWNER /usr/bin/env SUDO_UID=-1 "$OBSENV" list
rc_is 5
err_is "obsenv: started through sudo, but SUDO_UID is not a valid uid"
audit_has "$(rec error "$UID_OWNER" $E2E_OWNER).*exit=5"

t "through real sudo with SUDO_USER of someone else injected: refused"
run runuser -u $E2E_OUT -- sudo -n -u $E2E_OWNER /usr/bin/env SUDO_USER=$E2E_MNT "$OBSENV" list
rc_is 5
err_is "obsenv: started through sudo, but SUDO_USER $E2E_MNT is uid $UID_MNT, not SUDO_UID $UID_OUT"

t "through real sudo with SUDO_USER and SUDO_UID of someone else, both consistent: refused"
run runuser -u $E2E_OUT -- sudo -n -u $E2E_OWNER /usr/bin/env SUDO_USER=$E2E_MNT SUDO_UID=$UID_MNT "$OBSENV" list
rc_is 5
err_is "obsenv: started through sudo by uid $UID_OUT, but SUDO_UID says $UID_MNT"
audit_has "$(rec error "$UID_OWNER" $E2E_OWNER).*result=failed exit=5"

t "a uid with no account is refused"
run setpriv --reuid=48213 --regid=48213 --clear-groups --reset-env -- "$OBSENV" list
rc_is 5
err_is "obsenv: uid 48213 has no entry in the password database"
audit_has "$(rec error 48213 '\?')"
