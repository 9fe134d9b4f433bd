# Time limits on a fetch (the policy's connect_timeout and stall_timeout),
# against remotes on 127.0.0.1 that accept a connection and then never
# answer, send a few bytes and go silent, or answer and stall halfway
# (stuck_remote.py, which stops by itself). A stuck remote costs a pull at
# most its limit; the other packages are still fetched and moved; nothing
# of the stuck package moves.
e2e_alt_install
W=$T/to
install -d -m 0755 "$W" "$W/remotes" "$W/work"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$W/remotes/"; done
chmod -R a+rX "$W/remotes"
: >"$W/pids"
# stuck MODE PORT [CERT KEY]
stuck() {
	/usr/bin/python3 "$SRC/tests/e2e/stuck_remote.py" "$1" "$2" 300 "${@:3}" 2>>"$W/log" &
	echo $! >>"$W/pids"
	for _ in $(seq 50); do (: <>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.1; done
	errs+=("the $1 remote on port $2 did not start: $(cat "$W/log")")
}
ssh-keygen -q -t ed25519 -N '' -f "$W/hostkey" -C host
for port in 8461 8462; do printf '[127.0.0.1]:%s %s\n' $port "$(cut -d' ' -f1,2 "$W/hostkey.pub")"; done >"$W/known_hosts"
chmod 0644 "$W/known_hosts"
pin() { echo "$(fx_tag "$1"):$(fx_base "$1")"; }
# to_env ROOT: the three packages on local remotes, limits of 2 s.
to_env() {
	rm -rf "$1"
	alt_env "$1" "pkg00=$W/remotes/pkg00.git@$(pin pkg00)" "pkg01=$W/remotes/pkg01.git@$(pin pkg01)" \
		"pkg02=$W/remotes/pkg02.git@$(pin pkg02)"
	printf 'known_hosts: %s\nconnect_timeout: 2\nstall_timeout: 2\n' "$W/known_hosts" >>"$ALT/etc/policy.yaml"
}
remote00() { sed -i "s|^  pkg00: .*|  pkg00: {remote: \"$1\"}|" "$ALT/etc/policy.yaml"; }
wcommit() { basename "$(readlink -f "$W/env/$1")"; }
wstore() { git -c safe.directory='*' --git-dir="$W/env/repos/$1.git" rev-parse deploy; }
wremote() { git --git-dir="$W/remotes/$1.git" rev-parse deploy; }
# wpush PKG MESSAGE: one new commit on the remote's deploy branch.
wpush() {
	local w=$W/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$W/remotes/$1.git" "$w"
	git -C "$w" pull -q --ff-only origin deploy
	echo "$2" >>"$w/CHANGES"
	git -C "$w" add CHANGES
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$2"
	git -C "$w" push -q origin deploy
}
# timed_pull ARGS...: run asuser the maintainer "obsenv pull ARGS"; ms is how long it took.
timed_pull() {
	local t0
	t0=$(date +%s%N)
	run asuser $E2E_MNT "$ALT/obsenv" pull "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
	((ms >= 1900 && ms < 15000)) || errs+=("pull took $ms ms, not 2 s to 15 s")
}
# stuck_as_before PKG: neither the environment nor the store's deploy branch moved.
stuck_as_before() {
	[[ $(wcommit "$1") == "$was" ]] || errs+=("$1 moved in the environment")
	[[ $(wstore "$1") == "$store" ]] || errs+=("the store's deploy branch of $1 moved")
}

stuck silent 8461
stuck banner 8462

t "timeouts: init within the limits, on local remotes"
to_env "$W/env"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0

t "timeouts: a remote that accepts and never answers fails within connect_timeout; the others move"
wpush pkg01 "fix while pkg00 hangs"
new1=$(wremote pkg01) was=$(wcommit pkg00) store=$(wstore pkg00)
url=ssh://git@127.0.0.1:8461/pkg00.git
remote00 "$url"
timed_pull
rc_is 1
err_has "^obsenv: pkg00: the remote $url did not answer within 2 s \\(connect_timeout\\)$"
err_has "^obsenv: pull: 1 of 3 packages failed: pkg00 \\(the others moved\\)$"
[[ $(grep -c . <<<"$err") == 2 ]] || errs+=("more than one line per failure: $err")
[[ $(wcommit pkg01) == "$new1" ]] || errs+=("pkg01 did not move to $new1")
[[ $(wstore pkg01) == "$new1" ]] || errs+=("the store's deploy branch of pkg01 did not move")
stuck_as_before pkg00
audit_has "action=pull .*result=failed .*failed\\.pkg00=\"pkg00: the remote $url did not answer within 2 s \\(connect_timeout\\)\" .*exit=1"
audit_has "action=pull .*result=failed .*pkg\\.pkg01=[0-9a-f]{40}\\.\\.$new1"

t "timeouts: a remote that sends a few bytes and goes silent fails within connect_timeout"
url=ssh://git@127.0.0.1:8462/pkg00.git
remote00 "$url"
timed_pull pkg00
rc_is 1
err_has "^obsenv: pkg00: the remote $url did not answer within 2 s \\(connect_timeout\\)$"
stuck_as_before pkg00
audit_has "action=pull .*failed\\.pkg00=\"pkg00: the remote $url did not answer within 2 s"

# HTTPS: the TLS handshake completes with a certificate a trusted CA signed
# (the remote has answered), then the response stops halfway.
# The test CA, trusted system-wide until the suite ends (e2e_cleanup).
e2e_test_ca || errs+=("the test CA could not be made and trusted")
stuck https 8463 "$CA/srv.crt" "$CA/srv.key"

t "timeouts: a remote that answers, then stalls halfway, fails within stall_timeout; the others move"
wpush pkg02 "fix while pkg00 stalls"
new2=$(wremote pkg02) was=$(wcommit pkg00) store=$(wstore pkg00)
url=https://localhost:8463/pkg00.git
remote00 "$url"
timed_pull
rc_is 1
err_has "^obsenv: pkg00: the remote $url made no progress for 2 s \\(stall_timeout\\)$"
err_has "^obsenv: pull: 1 of 3 packages failed: pkg00 \\(the others moved\\)$"
[[ $(wcommit pkg02) == "$new2" ]] || errs+=("pkg02 did not move to $new2")
stuck_as_before pkg00
audit_has "action=pull .*result=failed .*failed\\.pkg00=\"pkg00: the remote $url made no progress for 2 s \\(stall_timeout\\)\" .*exit=1"
audit_has "action=pull .*result=failed .*pkg\\.pkg02=[0-9a-f]{40}\\.\\.$new2"

t "timeouts: the same remote, answering again, is fetched as before"
remote00 "$W/remotes/pkg00.git"
wpush pkg00 "pkg00 answers again"
run asuser $E2E_MNT "$ALT/obsenv" pull pkg00
rc_is 0
[[ $(wcommit pkg00) == "$(wremote pkg00)" ]] || errs+=("pkg00 did not move")

t "timeouts: init is bounded too, and makes no generation"
to_env "$W/env-init"
remote00 ssh://git@127.0.0.1:8461/pkg00.git
t0=$(date +%s)
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_has "^obsenv: pkg00: the remote ssh://git@127.0.0.1:8461/pkg00.git did not answer within 2 s \\(connect_timeout\\)$"
(($(date +%s) - t0 < 15)) || errs+=("init took $(($(date +%s) - t0)) s")
[[ -e $W/env-init/current ]] && errs+=("a generation was made")

xargs kill <"$W/pids" 2>/dev/null

t "timeouts: check refuses limits out of range, by name; so does every action"
grep -vE '^(connect|stall)_timeout:' "$ALT/etc/policy.yaml" >"$W/good.yaml"
for bad in "connect_timeout: 0" "connect_timeout: 3601" "stall_timeout: 0" "stall_timeout: 86401"; do
	{ cat "$W/good.yaml" && echo "$bad"; } >"$W/draft.yaml"
	chown $E2E_MNT "$W/draft.yaml"
	run asuser $E2E_MNT "$ALT/obsenv" check "$W/draft.yaml"
	rc_is 4
	key=${bad%%:*} range="1 to 86400"
	[[ $key == connect_timeout ]] && range="1 to 3600"
	err_has "^$W/draft.yaml:[0-9]+:[0-9]+: $key must be a whole number from $range$"
done
{ cat "$W/good.yaml" && echo "stall_timeout: 86401"; } >"$ALT/etc/policy.yaml"
run asuser $E2E_MNT "$ALT/obsenv" pull
rc_is 4
err_is "obsenv: $ALT/etc/policy.yaml:$(grep -c . "$ALT/etc/policy.yaml"):16: stall_timeout must be a whole number from 1 to 86400"
