# SSH remotes: a real sshd on 127.0.0.1:2222 serves the fixture's repos to
# a deploy key; the host key must be in the policy's known_hosts.
e2e_alt_install
S=$T/ssh
install -d -m 0755 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host" -C host
install -d -m 0700 -o $E2E_OWNER "$T/keys"
runuser -u $E2E_OWNER -- ssh-keygen -q -t ed25519 -N '' -f "$T/keys/deploy" -C deploy
install -m 0644 "$T/keys/deploy.pub" "$S/authorized_keys"
cat >"$S/config" <<CFG
Port 2222
ListenAddress 127.0.0.1
HostKey $S/host
PidFile $S/pid
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $E2E_MNT
CFG
mkdir -p /run/sshd
# The server's account (created unlocked: sshd refuses locked accounts
# without PAM) owns the repository it serves (its git refuses others').
install -d -m 0755 -o $E2E_MNT "$T/srv"
cp -a "$FX/remotes/pkg00.git" "$T/srv/pkg00.git"
chown -R $E2E_MNT "$T/srv/pkg00.git"
/usr/sbin/sshd -f "$S/config" -E "$S/log"
for _ in $(seq 50); do [[ -s $S/pid ]] && break; sleep 0.1; done
printf '[127.0.0.1]:2222 %s\n' "$(cut -d' ' -f1,2 "$S/host.pub")" >"$T/known_hosts"
printf '[127.0.0.1]:2222 %s\n' "$(ssh-keygen -q -t ed25519 -N '' -f "$S/other" -C o && cut -d' ' -f1,2 "$S/other.pub")" >"$T/known_hosts.wrong"
chmod 0644 "$T/known_hosts" "$T/known_hosts.wrong"
# ssh_env KNOWN_HOSTS: the alt policy with one package over SSH.
ssh_env() {
	rm -rf "$T/ssh-env"
	alt_env "$T/ssh-env" "pkg00=x@$(fx_tag pkg00):$(fx_base pkg00)"
	sed -i "s|^  pkg00: .*|  pkg00: {remote: \"ssh://$E2E_MNT@127.0.0.1:2222$T/srv/pkg00.git\", deploy_key: $T/keys/deploy}|" "$ALT/etc/policy.yaml"
	[[ -n $1 ]] && sed -i "s|^owner:|known_hosts: $1\nowner:|" "$ALT/etc/policy.yaml"
	return 0
}

t "ssh: init over SSH with a deploy key and a known host key"
[[ -s $S/pid ]] || errs+=("sshd did not start: $(cat "$S/log")")
ssh_env "$T/known_hosts"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
out_has "^generation 1: 1 package on its deploy branch$"
[[ $(basename "$(readlink -f "$T/ssh-env/pkg00")") == "$(git --git-dir="$T/srv/pkg00.git" rev-parse deploy)" ]] || errs+=("not on the deploy head")

t "ssh: a host key not in known_hosts is refused"
ssh_env "$T/known_hosts.wrong"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_is "obsenv: pkg00: the host key of 127.0.0.1 is not in $T/known_hosts.wrong; refusing to connect"
[[ -e $T/ssh-env/current ]] && errs+=("a generation was made")

t "ssh: without known_hosts in the policy, no connection is made"
ssh_env ""
: >"$S/log"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_is "obsenv: pkg00: an SSH remote needs known_hosts in the policy"
grep -q "Connection from" "$S/log" && errs+=("sshd saw a connection")

t "ssh: a deploy key readable by others is refused"
ssh_env "$T/known_hosts"
chmod 0644 "$T/keys/deploy"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_is "obsenv: pkg00: deploy key $T/keys/deploy must be a regular file of the owner with mode 0600"
chmod 0600 "$T/keys/deploy"
kill "$(cat "$S/pid")" 2>/dev/null
