# Two locks: a change's long work (fetching, checking out, removing) holds
# only the work lock, and takes the switch lock for the switch alone, so
# that nothing a writer or a caller does keeps an observer from rolling
# back. A change that finds a rollback made meanwhile never undoes it.
e2e_alt_install
L=$T/lk
A=$ALT/obsenv
install -d -m 0755 "$L" "$L/remotes" "$L/work"
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$L/env"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$L/remotes/"; done
install -d -m 0755 -o $E2E_OWNER "$L/owner"
install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$L/owner/base.yaml"
# lpolicy [REMOTE]: pkg02's remote is REMOTE when given (a stuck server).
lpolicy() {
	cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $L/env
base_file: $L/owner/base.yaml
lock_timeout: 2
connect_timeout: 8
stall_timeout: 8
packages:
  pkg00: {remote: $L/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $L/remotes/pkg01.git, tags: "v*"}
  pkg02: {remote: ${1:-$L/remotes/pkg02.git}, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback, history] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
YAML
}
lcommit() { basename "$(readlink -f "$L/env/$1")"; }
lgen() { readlink "$L/env/current"; }
# lpush PKG MSG [FILES]: one commit on the remote's deploy branch, with
# FILES new files when given (a tree that takes a while to check out).
lpush() {
	local w=$L/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$L/remotes/$1.git" "$w"
	git -C "$w" pull -q --ff-only
	echo "$2" >>"$w/CHANGES"
	if [[ -n ${3:-} ]]; then
		mkdir -p "$w/bulk" && (cd "$w/bulk" && seq -f 'f%05.0f' "$3" | xargs touch)
	fi
	git -C "$w" add -A
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$2"
	git -C "$w" push -q origin deploy
}
# A rollback, as an observer, timed: sets rc, out, err and ms.
timed_rollback() {
	local t0 t1
	t0=$(date +%s%N)
	run asuser $E2E_OBS "$A" rollback
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}
on_base() {
	local p
	for p in pkg00 pkg01 pkg02; do
		[[ $(lcommit $p) == "$(fx_base $p)" ]] || errs+=("$p is on $(lcommit $p), not its base $(fx_base $p)")
	done
}
waitfor() { # waitfor SECONDS CONDITION...: polls every 50 ms
	local n=$(($1 * 20))
	shift
	while ((n-- > 0)); do "$@" && return 0; sleep 0.05; done
	return 1
}
alive() { kill -0 "$1" 2>/dev/null; }
# as_mnt CMD...: the maintainer's command as a child of this shell, so
# that $! is obsenv's own pid (setpriv execs it).
as_mnt() { exec setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$@"; }
have_tree() { [[ -d $L/env/trees/$1/$2 ]]; }
# A tree being built (a set-aside tree, .tmp-trash-, is not one).
making_tree() { compgen -G "$L/env/trees/$1/.tmp-[0-9a-f]*" >/dev/null; }

lpolicy
run asuser $E2E_MNT "$A" init
[[ $rc == 0 ]] || echo "# t_76: init failed: $err"
/usr/bin/python3 "$SRC/tests/e2e/hang.py" --port-file "$L/port" --life 120 &
HANG=$!
waitfor 5 test -s "$L/port"
PORT=$(cat "$L/port")

t "a pull stuck on a remote that never answers: a rollback meanwhile takes well under a second"
lpush pkg00 "hot fix 1"
new00=$(git --git-dir="$L/remotes/pkg00.git" rev-parse deploy)
lpolicy "https://127.0.0.1:$PORT/stuck.git"
(as_mnt "$A" pull >"$L/pull.out" 2>"$L/pull.err") &
PULL=$!
# pkg00's new tree is made before pkg02's fetch hangs.
waitfor 20 have_tree pkg00 "$new00" || errs+=("the pull did not materialize pkg00")
sleep 0.3
alive $PULL || errs+=("the pull is not stuck: $(cat "$L/pull.err")")
timed_rollback
rc_is 0
out_has "^rolled back 3 packages: generation [0-9]+ is current$"
((ms < 1000)) || errs+=("the rollback took $ms ms while a pull was stuck")
on_base
echo "    # rollback during a stuck pull: $ms ms"

t "meanwhile a second change waits for the stuck pull, then names it"
run asuser $E2E_MNT "$A" checkout pkg01 "$(fx_tag pkg01)"
rc_is 1
err_has "^obsenv: another change is under way: held by $E2E_MNT, pull \\(pid $PULL, since [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC\\); gave up after 2 s \\(a rollback does not wait for it\\)$"
audit_has "$(rec allow "$UID_MNT" $E2E_MNT).*action=checkout.*result=failed.*another change is under way"
on_base

t "the stuck pull ends on its timeout, and leaves the rolled-back packages on their base"
waitfor 20 eval '! alive $PULL' || errs+=("the pull did not end on its timeout")
alive $PULL && kill -9 $PULL
wait $PULL
prc=$?
[[ $prc == 1 ]] || errs+=("pull exit $prc")
grep -qE "^obsenv: pkg02: .*127\\.0\\.0\\.1:$PORT.*(connect_timeout|stall_timeout)" "$L/pull.err" ||
	errs+=("no timeout message naming the remote and the limit: $(cat "$L/pull.err")")
grep -qE "^obsenv: warning: pkg00: generation [0-9]+ \\(rollback by $E2E_OBS\\) changed it while this pull ran; it stays as that generation has it$" "$L/pull.err" ||
	errs+=("the pull did not say it left pkg00 as the rollback put it: $(cat "$L/pull.err")")
on_base
audit_has "action=pull.*result=failed.*kept_newer\\.pkg00="
records | grep -q 'action=pull.*pkg\.pkg00=' && errs+=("the record claims a change of pkg00 the pull did not make")
[[ $(git --git-dir="$L/env/repos/pkg00.git" rev-parse deploy) == "$new00" ]] ||
	errs+=("the store's deploy branch did not take the fetched fix")

t "a pull killed while it holds the work lock: the next change records what it found"
(as_mnt "$A" pull >/dev/null 2>&1) &
PULL=$!
waitfor 10 grep -q "^held by $E2E_MNT, pull (pid $PULL" "$L/env/.work.lock" || errs+=("the pull never took the work lock")
kill -9 $PULL
wait $PULL 2>/dev/null
lpolicy
run asuser $E2E_MNT "$A" checkout pkg01 "$(fx_tag pkg01)"
rc_is 0
audit_has "interrupted\\.work=.*$E2E_MNT, pull \\(pid $PULL, since .* ended without releasing the lock"
mark_now
run asuser $E2E_MNT "$A" checkout pkg02 "$(fx_tag pkg02)"
records | grep -q 'interrupted\.' && errs+=("a run that released its lock was taken for a killed one")

t "a pull busy checking out a large tree: a rollback meanwhile takes well under a second and stays"
run asuser $E2E_MNT "$A" checkout pkg01 deploy
rc_is 0
lpush pkg01 "a large change" 40000
new01=$(git --git-dir="$L/remotes/pkg01.git" rev-parse deploy)
mark_now
(as_mnt "$A" pull >"$L/pull.out" 2>"$L/pull.err") &
PULL=$!
waitfor 30 making_tree pkg01 || errs+=("never saw the pull checking out pkg01")
alive $PULL || errs+=("the pull ended before the rollback could run")
timed_rollback
rc_is 0
((ms < 1000)) || errs+=("the rollback took $ms ms while a pull checked out a tree")
echo "    # rollback during a pull's checkout: $ms ms"
wait $PULL
prc=$?
[[ $prc == 0 ]] || errs+=("pull exit $prc: $(cat "$L/pull.err")")
on_base
grep -q "^obsenv: warning: pkg01: generation [0-9]* (rollback by $E2E_OBS) changed it while this pull ran" "$L/pull.err" ||
	errs+=("pull stderr: $(cat "$L/pull.err")")
grep -q "^nothing switched: every package that moved was changed by another run meanwhile$" "$L/pull.out" ||
	errs+=("pull stdout: $(cat "$L/pull.out")")

t "output suspended on the caller's terminal (tcflow TCOOFF): the change switches, and a rollback is not held up"
before=$(lgen)
/usr/bin/python3 "$SRC/tests/e2e/ptyrun.py" tcooff "$L/pty.pid" 20 \
	/usr/bin/setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$A" checkout pkg02 deploy &
PTY=$!
waitfor 10 eval '[[ $(lgen) != "$before" ]]' || errs+=("the checkout did not switch while its output was suspended")
cpid=$(cat "$L/pty.pid" 2>/dev/null)
[[ -n $cpid ]] && alive "$cpid" || errs+=("the checkout is not blocked on its suspended terminal")
timed_rollback
rc_is 0
((ms < 1000)) || errs+=("the rollback took $ms ms")
on_base
[[ -n $cpid ]] && kill -9 "$cpid" 2>/dev/null
wait $PTY

t "^Z typed at a change that holds the work lock: it goes on, and a rollback is not held up"
lpolicy "https://127.0.0.1:$PORT/stuck.git"
run asuser $E2E_MNT "$A" checkout pkg00 deploy
/usr/bin/python3 "$SRC/tests/e2e/ptyrun.py" ctrlz "$L/pty.pid" 20 \
	/usr/bin/setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$A" pull &
PTY=$!
waitfor 10 grep -q "^held by $E2E_MNT, pull" "$L/env/.work.lock" || errs+=("the pull never took the work lock")
sleep 1
cpid=$(cat "$L/pty.pid" 2>/dev/null)
[[ $(awk '/^State:/ {print $2}' "/proc/$cpid/status" 2>/dev/null) == T ]] && errs+=("^Z stopped obsenv while it held the work lock")
timed_rollback
rc_is 0
((ms < 1000)) || errs+=("the rollback took $ms ms")
on_base
wait $PTY
[[ $? == 0 ]] || errs+=("the pull had to be killed: it never ended on its timeout")
lpolicy

t "20 at once, rollbacks, pulls and checkouts mixed: every rollback succeeds, every other run succeeds or says it waited"
for p in pkg00 pkg01 pkg02; do run asuser $E2E_MNT "$A" checkout $p deploy; lpush $p "mixed $p"; done
pids=() kinds=()
for i in $(seq 20); do
	case $((i % 4)) in
	0 | 1) cmd=(rollback) ;;
	2) cmd=(pull) ;;
	3) cmd=(checkout pkg0$((i % 3)) deploy) ;;
	esac
	asuser $E2E_MNT "$A" "${cmd[@]}" >"$L/mix.$i" 2>&1 &
	pids+=($!) kinds+=("${cmd[0]}")
done
for i in "${!pids[@]}"; do
	wait "${pids[i]}"
	r=$?
	n=$((i + 1))
	if [[ ${kinds[i]} == rollback ]]; then
		[[ $r == 0 ]] || errs+=("rollback $n exit $r: $(cat "$L/mix.$n")")
	elif [[ $r != 0 ]] && ! grep -q "another change is under way" "$L/mix.$n"; then
		errs+=("${kinds[i]} $n exit $r: $(cat "$L/mix.$n")")
	fi
done
for p in pkg00 pkg01 pkg02; do [[ -d $L/env/$p/ ]] || errs+=("$p does not resolve"); done
run asuser $E2E_OBS "$A" status
rc_is 0
rm -f "$L"/mix.*

# The sanitizer pass looks for memory errors, not for rare moments: it
# runs fewer of the killed runs (as t_75 does).
kills=40
[[ -n ${E2E_SANITIZE:-} ]] && kills=12
t "SIGKILL at random moments of pulls and rollbacks, $kills runs: always a whole generation, and the next rollback works"
for i in $(seq $kills); do
	if ((i % 2)); then
		lpush pkg0$((i % 3)) "kill $i" >/dev/null
		(as_mnt "$A" pull >/dev/null 2>&1) &
	else
		(as_mnt "$A" rollback >/dev/null 2>&1) &
	fi
	pid=$!
	sleep "0.$((RANDOM % 400))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	for p in pkg00 pkg01 pkg02; do
		[[ -d $L/env/$p/ ]] || { errs+=("run $i: $p does not resolve"); break 2; }
	done
	[[ -s $L/env/$(lgen)/record ]] || { errs+=("run $i: current has no record"); break; }
done
timed_rollback
rc_is 0
on_base
audit_has "action=rollback.*result=ok"

t "the lock files: the owner's alone, in a root others cannot write"
for f in .lock .work.lock; do
	[[ $(stat -c '%a %U' "$L/env/$f") == "600 $E2E_OWNER" ]] || errs+=("$f: $(stat -c '%a %U' "$L/env/$f")")
	for u in $E2E_OUT $E2E_OBS $E2E_MNT; do
		run asuser $u python3 -c 'import fcntl, sys; fcntl.flock(open(sys.argv[1]), fcntl.LOCK_EX)' "$L/env/$f"
		[[ $rc != 0 ]] || errs+=("$u could open and lock $f")
	done
done
[[ $(stat -c '%U %a' "$L/env") == "$E2E_OWNER 755" ]] || errs+=("root: $(stat -c '%U %a' "$L/env")")

kill $HANG 2>/dev/null
wait $HANG 2>/dev/null
# Later files use the alternate install with their own policies.
[[ -f $T/m/policy.yaml ]] && cp "$T/m/policy.yaml" "$ALT/etc/policy.yaml"
