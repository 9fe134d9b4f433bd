# The drop and the sandbox, proved from inside by a probe built from the
# same code, set up exactly as obsenv is (setuid root, run by a user).
t "probe: after the drop every id is the target, no capabilities, seccomp on"
run asuser $E2E_OBS "$PREFIX/bin/obsenv-probe" $E2E_OWNER
rc_is 0
out_has "^start: euid=0$"
out_has "^Uid:	$UID_OWNER	$UID_OWNER	$UID_OWNER	$UID_OWNER$"
G=$(id -g $E2E_OWNER)
out_has "^Gid:	$G	$G	$G	$G$"
for c in CapInh CapPrm CapEff CapBnd CapAmb; do out_has "^$c:	0000000000000000$"; done
out_has "^NoNewPrivs:	1$"
out_has "^Seccomp:	2$"
out_has "^execve: Operation not permitted$"
out_has "^setuid0: Operation not permitted$"
out_has "^setresuid0: Operation not permitted$"
out_has "^ptrace_attach_parent: Operation not permitted$"
out_has "^mount: Operation not permitted$"
out_has "^socket_inet: Address family not supported by protocol$"
out_has "^socket_unix: ALLOWED$"
out_has "^open_shadow: Permission denied$"

t "probe: the network profile allows IP sockets and nothing more"
run asuser $E2E_OBS "$PREFIX/bin/obsenv-probe" $E2E_OWNER network
rc_is 0
out_has "^socket_inet: ALLOWED$"
out_has "^execve: Operation not permitted$"

t "probe: not runnable by users outside its test group"
# Through a shell: setpriv itself may still exec with its old capabilities.
run asuser $E2E_OUT bash -c '"$0" "$1"' "$PREFIX/bin/obsenv-probe" $E2E_OWNER
rc_is 126
