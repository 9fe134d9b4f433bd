# Shared by the end-to-end suite and the demo: real accounts, a setuid
# install into a temporary prefix, and a syslog receiver on /dev/log inside
# a private mount namespace. Everything made here is removed by e2e_cleanup.
# Source it as root with SRC (the source tree) set; T (a fresh directory)
# must be set before the e2e_* functions are called.

# e2e_namespace SCRIPT ARGS: unless ARGS start with --inner, re-runs SCRIPT
# in a private mount namespace (where e2e_logsink may replace /dev/log) and
# exits with its status. /dev/log must exist to be bound over; if it did
# not, the placeholder is removed afterwards.
e2e_namespace() {
	local script=$1 made=0 rc=0
	[[ ${2:-} == --inner ]] && return 0
	[[ -e /dev/log ]] || { : >/dev/log && made=1; }
	unshare --mount --propagation private bash "$script" --inner || rc=$?
	((made)) && rm -f /dev/log
	exit $rc
}

E2E_OWNER=obse2e_owner
E2E_OBS=obse2e_obs
E2E_MNT=obse2e_mnt
E2E_OUT=obse2e_out
E2E_USERS="$E2E_OWNER $E2E_OBS $E2E_MNT $E2E_OUT"
E2E_GROUPS="obse2e_observers obse2e_maint"
SUDOERS=/etc/sudoers.d/obsenv-e2e

e2e_users() {
	e2e_remove_users
	groupadd obse2e_observers
	groupadd obse2e_maint
	useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$E2E_OWNER"
	useradd -m -s /bin/bash -G obse2e_observers "$E2E_OBS"
	# Not locked ('*': no password works): the SSH tests' server account.
	useradd -m -s /bin/bash -p '*' -G obse2e_maint "$E2E_MNT"
	useradd -m -s /bin/bash "$E2E_OUT"
}

e2e_remove_users() {
	local u g
	for u in $E2E_USERS; do id "$u" >/dev/null 2>&1 && userdel -r -f "$u" >/dev/null 2>&1; done
	for g in $E2E_GROUPS; do getent group "$g" >/dev/null && groupdel "$g"; done
	return 0
}

# Builds on every core: the suite's two builds of obsenv are part of its time.
e2e_make() {
	make -s -j"$(nproc 2>/dev/null || echo 1)" -C "$SRC" ${SAN_LOG:+SAN_LOG_DIR="$SAN_LOG"} "$@"
}

# e2e_install: build an obsenv whose compiled-in policy path lies under $T,
# and install it setuid root with `make install`, as a sysadmin would.
# With E2E_SANITIZE=1 it is the ASan+UBSan build, whose reports land in
# $SAN_LOG (see tests/e2e/sanopts.c).
e2e_install() {
	POLICY=$T/etc/obsenv/policy.yaml
	PREFIX=$T/prefix
	OBSENV=$PREFIX/bin/obsenv
	local mk=(e2e_make BUILD="$T/build" POLICY_PATH="$POLICY" PREFIX="$PREFIX")
	if [[ ${E2E_SANITIZE:-} == 1 ]]; then
		SAN_LOG=$T/san
		install -d -m 1777 "$SAN_LOG" || return 1
	fi
	"${mk[@]}" "$T/build/obsenv" "$T/build/probe" "$T/build/logsink" "$T/build/execv0" >/dev/null || return 1
	"${mk[@]}" install >/dev/null || return 1
	install -d -m 0755 "$T/etc/obsenv" || return 1
	# The probe may drop to any account: only the test group may run it.
	install -m 4750 -o root -g obse2e_observers "$T/build/probe" "$PREFIX/bin/obsenv-probe" || return 1
	chmod 0755 "$T" "$PREFIX" "$PREFIX/bin"
}

# e2e_alt_install: a second install, at $ALT/obsenv, whose policy
# ($ALT/etc/policy.yaml) tests may rewrite freely. Made once.
e2e_alt_install() {
	ALT=$T/alt
	[[ -x $ALT/obsenv ]] && return 0
	install -d -m 0755 "$ALT" "$ALT/etc" || return 1
	e2e_make BUILD="$T/build-alt" POLICY_PATH="$ALT/etc/policy.yaml" "$T/build-alt/obsenv" >/dev/null || return 1
	install -m 4755 -o root -g root "$T/build-alt/obsenv" "$ALT/obsenv"
}

# e2e_test_ca: a test CA ($CA/ca.crt) and a certificate it signed for
# localhost ($CA/srv.crt, $CA/srv.key), made once per run. The CA is
# trusted system-wide from the first call until e2e_cleanup removes it:
# the timeout and HTTPS tests share it, since each run of
# update-ca-certificates takes seconds.
e2e_test_ca() {
	CA=$T/ca
	[[ -f $CA/trusted ]] && return 0
	install -d -m 0755 "$CA" || return 1
	local o=(openssl req -nodes -days 2)
	"${o[@]}" -x509 -newkey rsa:2048 -subj "/CN=obsenv e2e CA" -keyout "$CA/ca.key" -out "$CA/ca.crt" &&
		"${o[@]}" -newkey rsa:2048 -subj "/CN=localhost" -keyout "$CA/srv.key" -out "$CA/srv.csr" &&
		printf 'subjectAltName=DNS:localhost\n' >"$CA/ext" &&
		openssl x509 -req -in "$CA/srv.csr" -CA "$CA/ca.crt" -CAkey "$CA/ca.key" -CAcreateserial -days 2 \
			-extfile "$CA/ext" -out "$CA/srv.crt" || return 1
	install -m 0644 "$CA/ca.crt" /usr/local/share/ca-certificates/obsenv-e2e.crt &&
		update-ca-certificates || return 1
	touch "$CA/trusted"
} >/dev/null 2>&1

# alt_env ROOT PKG=REMOTE@TAG:COMMIT...: a policy and base file for them.
alt_env() {
	local root=$1 spec name rest remote pin
	shift
	install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$root"
	{
		printf 'owner: %s\nroot: %s\nbase_file: %s/base.yaml\nlock_timeout: 3\npackages:\n' $E2E_OWNER "$root" "$ALT"
		for spec; do
			name=${spec%%=*} rest=${spec#*=}
			printf '  %s: {remote: %s}\n' "$name" "${rest%%@*}"
		done
		printf 'roles:\n  m: {users: [%s], actions: [all]}\n' $E2E_MNT
	} >"$ALT/etc/policy.yaml"
	{
		echo "packages:"
		for spec; do
			name=${spec%%=*} pin=${spec#*@}
			printf '  %s: {tag: %s, commit: %s}\n' "$name" "${pin%%:*}" "${pin#*:}"
		done
	} >"$ALT/base.yaml"
	chown $E2E_OWNER "$ALT/base.yaml"
}

# e2e_fixture: a small observing environment from bench/make-fixture (bare
# remotes with tags and a deploy branch, and the base file it writes).
e2e_fixture() {
	FX=$T/fx
	"$SRC/bench/make-fixture" "$FX" --packages 3 --files 200 --commits 40 --tags 8 >/dev/null || return 1
	E2E_PACKAGES=$(for i in 00 01 02; do echo "  pkg$i: {remote: $FX/remotes/pkg$i.git, tags: \"v*\"}"; done)
	install -m 0644 -o "$E2E_OWNER" "$FX/base_environment.yaml" "$T/base_environment.yaml" || return 1
	install -d -m 0755 -o "$E2E_OWNER" -g "$E2E_OWNER" "$T/env"
}

# fx_tag PKG, fx_base PKG: the base pin make-fixture wrote (the tag, and
# the commit it names), whatever the tests have pinned since.
fx_pin() { awk -v p="$1:" -v k="$2:" '$1 == p { f = 1 } f && $1 == k { print $2; exit }' "$FX/base_environment.yaml"; }
fx_tag() { fx_pin "$1" tag; }
fx_base() { fx_pin "$1" commit; }

# The main environment ($T/env, made by t_70): its base pins as the base
# file now says, the fixture's deploy heads, what is current.
base_of() { awk -v p="$1:" '$1 == p { f = 1 } f && $1 == "commit:" { print $2; exit }' "$T/base_environment.yaml"; }
tag_of() { awk -v p="$1:" '$1 == p { f = 1 } f && $1 == "tag:" { print $2; exit }' "$T/base_environment.yaml"; }
deploy_of() { git --git-dir="$FX/remotes/$1.git" rev-parse deploy; }
gen_of() { readlink "$T/env/current"; }
commit_at() { basename "$(readlink -f "$T/env/$1")"; }
sudo_obs() { runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$OBSENV" "$@"; }
sudo_mnt() { runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" "$@"; }

e2e_policy() {
	cat >"$POLICY" <<YAML
owner: $E2E_OWNER
root: $T/env
base_file: $T/base_environment.yaml
keep_generations: 5
lock_timeout: 3
user_setups:
  path: notebooks/.user_setups
  content: "source $T/env/auto_env_setup.sh\n"
packages:
$E2E_PACKAGES
roles:
  observers:   { groups: [obse2e_observers], actions: [status, list, rollback, restore-setups, history, diff] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
  timer:       { users: [$E2E_OWNER], actions: [pull] }
YAML
	chown root:root "$POLICY"
	chmod 0644 "$POLICY"
}

e2e_sudoers() {
	cat >"$SUDOERS" <<EOF2
# obsenv end-to-end tests; removed when they end.
Defaults:$E2E_OBS !lecture
$E2E_OBS ALL=($E2E_OWNER) NOPASSWD: $OBSENV
$E2E_MNT ALL=($E2E_OWNER) NOPASSWD: $OBSENV
# The same binary without its setuid bit, as a site might install it.
$E2E_OBS ALL=($E2E_OWNER) NOPASSWD: $T/nosuid/obsenv
# A deliberately careless rule, to test spoofed SUDO_* through real sudo.
$E2E_OUT ALL=($E2E_OWNER) NOPASSWD: /usr/bin/env
EOF2
	chmod 0440 "$SUDOERS"
	visudo -c -q -f "$SUDOERS"
}

# Inside a private mount namespace: our receiver becomes /dev/log.
e2e_logsink() {
	AUDIT=$T/audit.log
	: >"$AUDIT"
	[[ -x $T/build/logsink ]] || return 1
	"$T/build/logsink" "$T/log.sock" "$AUDIT" &
	SINK_PID=$!
	for _ in $(seq 50); do [[ -S $T/log.sock ]] && break; sleep 0.1; done
	[[ -S $T/log.sock ]] && mount --bind "$T/log.sock" /dev/log
}

# A real systemd-journald, without systemd as PID 1, inside the private
# mount namespace: private directories on /run/systemd (its sockets),
# /run/log (the journal it writes) and /var/log. obsenv finds the journal
# socket and sends its records there, and no longer to /dev/log. While it
# runs, $AUDIT is the journal's obsenv entries written as the syslog
# receiver writes a datagram (export2lines.py), remade from the journal by
# e2e_journal_read, so that every audit assertion reads the journal
# instead. JOURNAL is the directory for journalctl -D, a new one at each
# start.
e2e_journald() {
	JOURNALD_STARTS=$((${JOURNALD_STARTS:-0} + 1))
	local d=$T/journald.$JOURNALD_STARTS
	JOURNAL=$d/log/journal
	install -d -m 0755 "$d/run" "$d/log" "$d/varlog" || return 1
	mount --bind "$d/run" /run/systemd && mount --bind "$d/log" /run/log &&
		mount --bind "$d/varlog" /var/log || return 1
	/lib/systemd/systemd-journald >"$d/journald.out" 2>&1 &
	JOURNALD_PID=$!
	for _ in $(seq 100); do
		[[ -S /run/systemd/journal/socket && -n $(find "$JOURNAL" -name system.journal 2>/dev/null) ]] && break
		sleep 0.05
	done
	[[ -S /run/systemd/journal/socket ]] || return 1
	AUDIT_SYSLOG=${AUDIT_SYSLOG:-$AUDIT}
	AUDIT=$d/audit.log
	e2e_journal_sync
}

e2e_journal_read() {
	journalctl --directory="$JOURNAL" -o export SYSLOG_IDENTIFIER=obsenv |
		python3 "$SRC/tests/e2e/export2lines.py" >"$AUDIT.new" && mv "$AUDIT.new" "$AUDIT"
}

# Waits until journald has written every record sent before now: an entry
# of our own, sent now, comes after them. Its line (": e2e: ") is not a
# record; records() leaves it out.
e2e_journal_sync() {
	JOURNAL_SYNCS=$((${JOURNAL_SYNCS:-0} + 1))
	printf 'MESSAGE=e2e: sync %s\nSYSLOG_IDENTIFIER=obsenv\n' "$JOURNAL_SYNCS" | logger --journald ||
		return 1
	for _ in $(seq 200); do
		e2e_journal_read
		grep -q ": e2e: sync $JOURNAL_SYNCS\$" "$AUDIT" && return 0
		sleep 0.05
	done
	return 1
}

# Back to the syslog receiver: journald stops and its directories go.
e2e_journald_stop() {
	[[ -n ${JOURNALD_PID:-} ]] && kill "$JOURNALD_PID" 2>/dev/null && wait "$JOURNALD_PID" 2>/dev/null
	JOURNALD_PID=
	[[ -n ${AUDIT_SYSLOG:-} ]] && AUDIT=$AUDIT_SYSLOG
	# Not mounted when none was started (the demo): umount then fails with
	# 96, which under the demo's set -e ended its clean-up right here.
	umount /var/log /run/log /run/systemd 2>/dev/null || true
	return 0
}

# A real rsyslogd with the distribution's own rules (/etc/rsyslog.conf and
# rsyslog.d) and a private /var/log: only its socket path, work directory
# and kernel input differ. Its socket is bound over /dev/log. SECURE_LOG is
# the file the rules send authpriv to (auth.log on Debian, secure on EL).
e2e_rsyslogd() {
	local d=$T/rsyslog rule
	install -d -m 0755 "$d/varlog" "$d/spool" || return 1
	[[ -f /etc/rsyslog.conf ]] && command -v rsyslogd >/dev/null || return 1
	rule=$(grep -E '^[^#]*authpriv\.\*' /etc/rsyslog.conf | head -1)
	SECURE_LOG=$(awk '{ print $NF }' <<<"$rule" | sed 's/^-//')
	[[ $SECURE_LOG == /var/log/* ]] || return 1
	SECURE_LOG=$d/varlog/${SECURE_LOG#/var/log/}
	sed -e "s|^module(load=\"imuxsock\".*|module(load=\"imuxsock\" SysSock.Name=\"$d/log.sock\")|" \
	    -e '/^module(load="imklog")/d' -e '/^module(load="imjournal"/d' \
	    -e "s|^\\\$WorkDirectory .*|\\\$WorkDirectory $d/spool|" /etc/rsyslog.conf >"$d/rsyslog.conf"
	grep -q "SysSock.Name=\"$d/log.sock\"" "$d/rsyslog.conf" || return 1
	mount --bind "$d/varlog" /var/log || return 1
	rsyslogd -n -f "$d/rsyslog.conf" -i "$d/pid" >"$d/rsyslogd.out" 2>&1 &
	RSYSLOGD_PID=$!
	for _ in $(seq 100); do [[ -S $d/log.sock ]] && break; sleep 0.05; done
	[[ -S $d/log.sock ]] && mount --bind "$d/log.sock" /dev/log
}

# Back to the test receiver on /dev/log.
e2e_rsyslogd_stop() {
	[[ -n ${RSYSLOGD_PID:-} ]] || return 0
	kill "$RSYSLOGD_PID" 2>/dev/null && wait "$RSYSLOGD_PID" 2>/dev/null
	RSYSLOGD_PID=
	umount /dev/log 2>/dev/null || true
	umount /var/log 2>/dev/null || true
	return 0
}

e2e_cleanup() {
	e2e_rsyslogd_stop
	e2e_journald_stop
	[[ -n ${SINK_PID:-} ]] && kill "$SINK_PID" 2>/dev/null
	[[ -s ${T:-/nonexistent}/ssh/pid ]] && kill "$(cat "$T/ssh/pid")" 2>/dev/null
	[[ -s ${T:-/nonexistent}/https/pids ]] && xargs kill <"$T/https/pids" 2>/dev/null
	[[ -s ${T:-/nonexistent}/to/pids ]] && xargs kill <"$T/to/pids" 2>/dev/null
	if [[ -e /usr/local/share/ca-certificates/obsenv-e2e.crt ]]; then
		rm -f /usr/local/share/ca-certificates/obsenv-e2e.crt
		update-ca-certificates --fresh >/dev/null 2>&1
	fi
	rm -f "$SUDOERS"
	e2e_remove_users
}

# asuser USER CMD...: run as a real user with a clean environment, the way
# an attacker would have to: setpriv drops every id and capability.
asuser() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups --reset-env -- "$@"
}
