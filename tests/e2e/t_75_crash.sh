# Crash safety, atomic switches under readers, moved tags.
# needs: 70
pair() { # pkg commit -> "hashA,hashB" of the two files reader.py reads
	local d=$T/env/trees/$1/$2
	echo "$(sha256sum <"$d/README.rst" | cut -c1-16),$(sha256sum <"$d/doc/version_history.rst" | cut -c1-16)"
}
# Precompute: state() is called hundreds of times.
declare -A BASE DEPLOY
for p in pkg00 pkg01 pkg02; do BASE[$p]=$(base_of $p); DEPLOY[$p]=$(deploy_of $p); done
state() { # "base", "deploy", or what is wrong
	# -ef: the stable path resolves to that very tree (no process started:
	# state() runs three times per killed run).
	local p b=0 d=0
	for p in pkg00 pkg01 pkg02; do
		[[ -d $T/env/$p/ ]] || { echo "missing:$p"; return; }
		[[ $T/env/$p -ef $T/env/trees/$p/${BASE[$p]} ]] && b=$((b + 1))
		[[ $T/env/$p -ef $T/env/trees/$p/${DEPLOY[$p]} ]] && d=$((d + 1))
	done
	((b == 3)) && echo base && return
	((d == 3)) && echo deploy && return
	echo "mixed:b=$b,d=$d"
}
base_of() { echo "${BASE[$1]}"; }
deploy_of() { echo "${DEPLOY[$1]}"; }
flip() { [[ $(state) == base ]] && echo revert || echo rollback; }

# The sanitizer pass looks for memory errors, not for rare moments: it
# runs fewer of the repeated switches (CI's time is bounded).
kills=200 pairs=250
[[ -n ${E2E_SANITIZE:-} ]] && kills=60 pairs=75
t "SIGKILL at random moments, $kills runs: always the old or the new generation"
# Kill moments spread over the length of one uninterrupted switch, measured
# here: the sanitizer build takes several times longer than the shipped one.
span=0
for i in 1 2 3; do
	t0=$(date +%s%N)
	asuser $E2E_MNT "$OBSENV" "$(flip)" >/dev/null 2>&1
	t1=$(($(date +%s%N) - t0))
	((t1 > span)) && span=$t1
done
span=$((span * 12 / 10 / 1000)) # microseconds, with a margin
bad=0 moved=0
for i in $(seq $kills); do
	was=$(state)
	act=$(flip)
	setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$OBSENV" "$act" >/dev/null 2>&1 &
	pid=$!
	us=$(((RANDOM * 32768 + RANDOM) % span))
	sleep "$((us / 1000000)).$(printf %06d $((us % 1000000)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	now=$(state)
	[[ $now == base || $now == deploy ]] || { bad=$((bad + 1)); errs+=("run $i ($act, killed): $now"); }
	[[ $now != "$was" ]] && moved=$((moved + 1))
	((bad > 3)) && break
done
echo "    # $moved of $kills killed runs had switched before the kill (kills within $((span / 1000)) ms)"
((moved > 0 && moved < kills)) || errs+=("the kills never landed mid-run ($moved switched): the test proves nothing")
run asuser $E2E_MNT "$OBSENV" status
rc_is 0
run asuser $E2E_MNT "$OBSENV" "$(flip)"
rc_is 0
leftover=$(find "$T/env" -name '.tmp-*' | head -3)
[[ -z $leftover ]] || errs+=("leftovers after a clean run: $leftover")

t "a reader during $((pairs * 2)) switches never sees a missing path or a mix"
[[ $(state) == base ]] || asuser $E2E_MNT "$OBSENV" rollback >/dev/null
specs=()
for p in pkg00 pkg01 pkg02; do
	specs+=("$p=$(pair $p "${BASE[$p]}")" "$p=$(pair $p "${DEPLOY[$p]}")")
done
rm -f "$T/stop"
# A copy the observer can read: the checkout may be in root's 0700 home.
install -m 0644 "$SRC/tests/e2e/reader.py" "$T/reader.py"
asuser $E2E_OBS python3 "$T/reader.py" "$T/env" "$T/stop" "${specs[@]}" >"$T/reader.out" 2>&1 &
reader=$!
switched=0
for i in $(seq $pairs); do
	asuser $E2E_MNT "$OBSENV" revert >/dev/null 2>&1 && switched=$((switched + 1))
	asuser $E2E_MNT "$OBSENV" rollback >/dev/null 2>&1 && switched=$((switched + 1))
done
touch "$T/stop"
wait $reader
echo "    # $(cat "$T/reader.out" | tail -1) over $switched switches"
((switched == pairs * 2)) || errs+=("only $switched of $((pairs * 2)) switches succeeded")
grep -q "missing=0 mixed=0" "$T/reader.out" || errs+=("reader: $(tail -3 "$T/reader.out")")
grep -qE "reads=[1-9][0-9]{2,}" "$T/reader.out" || errs+=("the reader hardly read: $(cat "$T/reader.out")")
# The last switch was a rollback, which removes nothing (it must be quick):
# keep_generations (5) plus its own. The next other change trims: here the
# timer's pull, which trims even when nothing is new.
ngen() { ls "$T/env/generations" | grep -c '^[0-9]'; }
[[ $(ngen) == 6 ]] || errs+=("after the last rollback: $(ls "$T/env/generations")")
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
[[ $(ngen) == 5 ]] || errs+=("keep_generations not honoured after a pull: $(ls "$T/env/generations")")
[[ -d $T/env/generations/$(basename "$(readlink "$T/env/current")") ]] || errs+=("the current generation went")
[[ -z $(ls -A "$T/env/generations" | grep -v '^[0-9]') ]] || errs+=("leftovers: $(ls -A "$T/env/generations")")

t "a tag moved on the remote: init refuses it; rollback goes to the pinned commit anyway, loudly"
[[ $(state) == base ]] && asuser $E2E_MNT "$OBSENV" revert >/dev/null
g=$(readlink "$T/env/current")
tag=$(tag_of pkg01)
old=$(awk '$1 == "tagref" { print $2 }' "$T/env/pins/pkg01")
remote=$FX/remotes/pkg01.git
git --git-dir="$remote" -c user.name=x -c user.email=x@x tag -f -a -m moved "$tag" "${DEPLOY[pkg01]}" >/dev/null
new=$(git --git-dir="$remote" rev-parse "refs/tags/$tag")
# The timer's pull is the first to fetch it: it says so, and records it.
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
err_has "^obsenv: warning: pkg01: TAG MOVED: the remote's pinned tag $tag pointed to ${old:0:10} when it was pinned and now points to ${new:0:10}; rollback still goes to the pinned commit ${BASE[pkg01]:0:10}: a maintainer should re-pin it$"
audit_has "action=pull .*result=ok.* tag_moved\.pkg01=$old\.\.$new"
run sudo_mnt init
rc_is 1
err_is "obsenv: pkg01: TAG MOVED: $tag now points to ${DEPLOY[pkg01]}, but the base pin is ${BASE[pkg01]}; refusing to use it"
audit_has "action=init .*result=failed exit=1 error=\"pkg01: TAG MOVED"
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 0
err_is "obsenv: warning: pkg01: TAG MOVED: $tag pointed to $old when it was pinned and now points to $new; rolled back to the pinned commit ${BASE[pkg01]} anyway: a maintainer should re-pin it"
out_has "^rolled back 3 packages"
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=rollback .*result=ok.* tag_moved\.pkg01=$old\.\.$new"
asuser $E2E_MNT "$OBSENV" revert >/dev/null
# Put the tag back upstream; the next fetch brings it back to the store.
git --git-dir="$remote" update-ref "refs/tags/$tag" "$old"
run sudo_mnt init
rc_is 0

# Degraded rollback: one package that cannot go to a verified base never
# keeps the others from it. Exit 7 when a package had to stay.
t "a package added to the policy, not pinned yet: rollback moves the others, names it, exit 7"
cp "$POLICY" "$T/policy.orig"
sed -i "s|^  pkg02: .*|&\n  pkg03: {remote: $FX/remotes/pkg00.git, tags: \"v*\"}|" "$POLICY"
[[ $(state) == base ]] && asuser $E2E_MNT "$OBSENV" revert >/dev/null
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 7
err_has "^obsenv: warning: the base file cannot be used \(.*\): rolling back to the last verified pins$"
err_has "^obsenv: pkg03: no verified base pin \(run 'obsenv init' or 'obsenv pin'\); it stays out$"
err_has "^obsenv: rollback: 1 of 4 packages could not be put on a verified base: pkg03$"
out_has "^rolled back 3 packages"
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")
audit_has "action=rollback .*result=failed .*not_moved\.pkg03=.* exit=7 error=\"rollback: 1 of 4 packages"
cp "$T/policy.orig" "$POLICY"

t "a base file edited by hand: rollback goes to the last verified pins and says so"
cp "$T/base_environment.yaml" "$T/base.orig"
other=$(git --git-dir="$FX/remotes/pkg01.git" tag -l 'v*' | sort -V | tail -1)
oc=$(git --git-dir="$FX/remotes/pkg01.git" rev-parse "$other^{commit}")
tag1=$(tag_of pkg01)
printf 'packages:\n  pkg00: {tag: %s, commit: %s}\n  pkg01: {tag: %s, commit: %s}\n  pkg02: {tag: %s, commit: %s}\n' \
	"$(tag_of pkg00)" "${BASE[pkg00]}" "$other" "$oc" "$(tag_of pkg02)" "${BASE[pkg02]}" >"$T/base_environment.yaml"
asuser $E2E_MNT "$OBSENV" revert >/dev/null
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 0
err_has "^obsenv: warning: pkg01: the base file's pin $other ${oc:0:10} has not been verified: rolled back to the last verified pin $tag1 ${BASE[pkg01]:0:10}; a maintainer should re-pin it or run 'obsenv init'$"
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the last verified pins")
audit_has "action=rollback .*result=ok.* unverified\.pkg01=$oc"
cp "$T/base.orig" "$T/base_environment.yaml"

t "a base tree missing, and its store with it: that package stays where it is, the others move, exit 7"
asuser $E2E_MNT "$OBSENV" revert >/dev/null
g0=$(readlink "$T/env/current")
tree=$T/env/trees/pkg02/${BASE[pkg02]}
mv "$tree" "$T/tree.aside"
mv "$T/env/repos/pkg02.git" "$T/repo.aside"
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 7
err_has "^obsenv: pkg02: the tree of base pin ${BASE[pkg02]:0:10} is missing and was not rebuilt \(.*pkg02.git: No such file or directory\); it stays where it is$"
err_has "^obsenv: rollback: 1 of 3 packages could not be put on a verified base: pkg02$"
[[ $(commit_at pkg00) == "${BASE[pkg00]}" && $(commit_at pkg01) == "${BASE[pkg01]}" ]] ||
	errs+=("pkg00 and pkg01 are not on their base pins")
[[ $(commit_at pkg02) == "${DEPLOY[pkg02]}" ]] || errs+=("pkg02 moved: $(commit_at pkg02)")
mv "$T/tree.aside" "$tree"
mv "$T/repo.aside" "$T/env/repos/pkg02.git"
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 0
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")
# Back to the deploy heads, for the tests after this one.
asuser $E2E_MNT "$OBSENV" revert "${g0##*/}" >/dev/null

t "tags read from packed-refs too"
[[ $(state) == base ]] && asuser $E2E_MNT "$OBSENV" revert >/dev/null
[[ $(state) == deploy ]] || errs+=("set-up: the environment is $(state), not on deploy")
git -c safe.directory='*' --git-dir="$T/env/repos/pkg01.git" pack-refs --all || errs+=("could not pack refs")
chown -R $E2E_OWNER: "$T/env/repos/pkg01.git"
[[ -e $T/env/repos/pkg01.git/refs/tags/$tag ]] && errs+=("the tag is still loose")
run asuser $E2E_OBS "$OBSENV" rollback
rc_is 0
out_has "^rolled back 3 packages"

# The stack limit is raised to 8 MiB like the others; a hard limit below
# what obsenv needs can be raised only with CAP_SYS_RESOURCE (some
# containers drop it from the bounding set), and is refused up front
# without it.
t "a 64 KiB stack limit is raised: status --verify, checkout and rollback finish"
mapfile -t old <<<"$(git --git-dir="$FX/remotes/pkg02.git" tag -l 'v*' | sort -V | head -2)"
i=0
for lim in 65536:unlimited 65536; do
	if [[ $lim == 65536 ]] && ! (( 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24 & 1 )); then
		run asuser $E2E_OBS prlimit --stack=$lim "$OBSENV" rollback
		rc_is 1
		err_is "obsenv: the stack size limit (64 KiB) is too low: obsenv needs 1024 KiB"
		audit_has "$(rec error "$UID_OBS" $E2E_OBS).*exit=1 error=\"the stack size limit"
		continue
	fi
	run asuser $E2E_OBS prlimit --stack=$lim "$OBSENV" status --verify
	rc_is 0
	audit_has "action=status .*result=ok"
	# An old tag: its tree is made now, the deepest work obsenv does.
	run asuser $E2E_MNT prlimit --stack=$lim "$OBSENV" checkout pkg02 "${old[i]}"
	rc_is 0
	[[ $(commit_at pkg02) == $(git --git-dir="$FX/remotes/pkg02.git" rev-parse "${old[i]}^{commit}") ]] ||
		errs+=("checkout ${old[i]} under --stack=$lim did not land")
	audit_has "action=checkout .*result=ok"
	run asuser $E2E_OBS prlimit --stack=$lim "$OBSENV" rollback
	rc_is 0
	out_has "^rolled back"
	i=$((i + 1))
done
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")

t "a stack limit obsenv cannot raise (no setuid bit) is refused before anything is done"
install -m 0755 "$OBSENV" "$T/obsenv-nosuid"
run asuser $E2E_OBS prlimit --stack=65536 "$T/obsenv-nosuid" status
rc_is 1
err_is "obsenv: the stack size limit (64 KiB) is too low: obsenv needs 1024 KiB"
audit_has "$(rec error "$UID_OBS" $E2E_OBS).*exit=1 error=\"the stack size limit"
rm -f "$T/obsenv-nosuid"

# Ignored signals stay ignored across execve and armed timers stay armed;
# obsenv sets every signal back to its default, so without disarming them
# the next expiry would kill it between two steps. The lock, held by root
# for a second, keeps rollback waiting when the real timer (0.4 s) fires;
# the CPU-time ones tick every millisecond of work. (A repeating real
# timer would not do: the kernel re-arms it only when its signal is taken,
# never while it is ignored.)
t "interval timers armed before exec (real, virtual, profiling) do not kill obsenv"
asuser $E2E_MNT "$OBSENV" revert >/dev/null
flock -x "$T/env/.lock" sleep 1 &
holder=$!
sleep 0.2
run asuser $E2E_OBS python3 -c 'import os, signal, sys
for s, t, v, i in ((signal.SIGALRM, signal.ITIMER_REAL, 0.4, 0),
                   (signal.SIGVTALRM, signal.ITIMER_VIRTUAL, 0.001, 0.001),
                   (signal.SIGPROF, signal.ITIMER_PROF, 0.001, 0.001)):
    signal.signal(s, signal.SIG_IGN)
    signal.setitimer(t, v, i)
os.execv(sys.argv[1], sys.argv[1:])' "$OBSENV" rollback
wait $holder
rc_is 0
out_has "^rolled back [0-9]+ package"
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=rollback .*result=ok"

# The observer must tell "switched, but the report was lost" from "nothing
# changed": the change's exit status stands, the loss is a warning.
t "rollback with stdout on a full disk: the switch stands, exit 0, the lost output is a warning"
[[ $(state) == base ]] && asuser $E2E_MNT "$OBSENV" revert >/dev/null
g=$(readlink "$T/env/current")
run asuser $E2E_OBS bash -c 'exec "$0" rollback >/dev/full' "$OBSENV"
rc_is 0
err_is "obsenv: warning: the output could not be written (No space left on device); the rollback itself finished"
[[ $(state) == base ]] || errs+=("the environment is $(state), not on the base pins")
[[ $(readlink "$T/env/current") != "$g" ]] || errs+=("no switch")
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=rollback .*result=ok.* warning\\.output=\"the output could not be written \\(No space left on device\\); the rollback itself finished\""
# Where the output is the result, losing it is the failure.
run asuser $E2E_MNT bash -c 'exec "$0" revert --dry-run >/dev/full' "$OBSENV"
rc_is 1
err_is "obsenv: cannot write output: No space left on device"
run asuser $E2E_OBS bash -c 'exec "$0" status >/dev/full' "$OBSENV"
rc_is 1
err_is "obsenv: cannot write output: No space left on device"
