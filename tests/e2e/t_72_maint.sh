# Maintainer actions (checkout, pull, history, diff, revert, freeze) on a
# second install with its own copies of the remotes, which these tests
# push to, force-push and break.
e2e_alt_install
M=$T/m
install -d -m 0755 "$M" "$M/remotes" "$M/work"
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$M/env"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$M/remotes/"; done
install -d -m 0755 -o $E2E_OWNER "$M/owner"
install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$M/owner/base.yaml"
cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $M/env
base_file: $M/owner/base.yaml
lock_timeout: 5
packages:
  pkg00: {remote: $M/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $M/remotes/pkg01.git, tags: "v*"}
  pkg02: {remote: $M/remotes/pkg02.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback, history, diff] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
  timer:       { users: [$E2E_OWNER], actions: [pull] }
YAML
cp "$ALT/etc/policy.yaml" "$M/policy.yaml" # for later tests on this environment
A=$ALT/obsenv
mnt() { run asuser $E2E_MNT "$A" "$@"; }
mgen() { readlink "$M/env/current"; }
mcommit() { basename "$(readlink -f "$M/env/$1")"; }
mremote() { git --git-dir="$M/remotes/$1.git" rev-parse "$2"; }
mstore() { git -c safe.directory='*' --git-dir="$M/env/repos/$1.git" rev-parse "$2"; }
# push PKG MESSAGE: one new commit on the remote's deploy branch.
push() {
	local w=$M/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$M/remotes/$1.git" "$w"
	git -C "$w" fetch -q origin && git -C "$w" reset -q --hard origin/deploy
	echo "$2" >>"$w/CHANGES"
	git -C "$w" add CHANGES
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$2"
	git -C "$w" push -q origin deploy
}
envsafe() { # every stable path resolves to a tree of one generation
	local p
	for p in pkg00 pkg01 pkg02; do [[ -d $M/env/$p/ ]] || errs+=("$p does not resolve"); done
}
mnt init >/dev/null

t "history: generations newest first, who, what changed"
mnt checkout pkg00 "$(awk '/pkg00:/ { f = 1 } f && $1 == "tag:" { print $2; exit }' "$M/owner/base.yaml")"
run asuser $E2E_OBS "$A" history
rc_is 0
out_has "^generation 2  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC  $E2E_MNT  checkout  \\(current\\)$"
out_has "^    pkg00 +[0-9a-f]{10} -> [0-9a-f]{10} \\(tag v[0-9.]+\\)$"
out_has "^generation 1  .*  init$"
out_has "^    pkg02 +none -> [0-9a-f]{10} \\(deploy, v[0-9.]+-3-g[0-9a-f]{7}, follows deploy\\)$"
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=history as=$E2E_OWNER role=observers .*result=ok"
run asuser $E2E_OBS "$A" history -n 1 --json
rc_is 0
[[ $(jq -r 'length, .[0].generation, .[0].current, .[0].action, .[0].changes[0].package, .[0].changes[0].source' <<<"$out" | tr '\n' ' ') == "1 2 true checkout pkg00 tag " ]] ||
	errs+=("json: $out")
run asuser $E2E_OBS "$A" history -n 0
rc_is 2
err_is "obsenv: history: -n needs a positive number, not '0'"

t "checkout a tag, a commit prefix, and deploy again"
tag=$(git --git-dir="$M/remotes/pkg01.git" tag -l 'v*' | sort -V | head -2 | tail -1)
want=$(mremote pkg01 "$tag^{commit}")
g=$(mgen)
mnt checkout pkg01 "$tag"
rc_is 0
out_has "^pkg01: [0-9a-f]{10} \\(v[^)]*\\) -> ${want:0:10} \\(tag $tag\\)$"
[[ $(mcommit pkg01) == "$want" ]] || errs+=("pkg01 is on $(mcommit pkg01)")
[[ $(mgen) != "$g" ]] || errs+=("no new generation")
audit_has "$(rec allow "$UID_MNT" $E2E_MNT).*action=checkout as=$E2E_OWNER role=maintainers .*result=ok pkg.pkg01=[0-9a-f]{40}\\.\\.$want"
prev=$(mremote pkg01 "deploy~2")
mnt checkout pkg01 "${prev:0:8}"
rc_is 0
[[ $(mcommit pkg01) == "$prev" ]] || errs+=("commit prefix: pkg01 is on $(mcommit pkg01)")
mnt checkout pkg01 deploy
rc_is 0
out_has "following it from now on"
[[ $(mcommit pkg01) == "$(mremote pkg01 deploy)" ]] || errs+=("not back on deploy")
mnt checkout pkg01 deploy
rc_is 0
out_has "already: nothing changed$"

t "checkout --dry-run changes nothing"
g=$(mgen)
mnt checkout --dry-run pkg01 "$tag"
rc_is 0
out_has "^dry run: nothing changed$"
[[ $(mgen) == "$g" ]] || errs+=("a dry run switched")

t "checkout: bad ref names are refused before anything is read"
g=$(mgen)
long=$(printf 'v%.0s' $(seq 300))
for bad in "v1..2" "v1@{0}" $'v1\e[31m' "$long" "HEAD~1" "v1 x" "refs/heads/../x"; do
	mnt checkout pkg01 "$bad"
	rc_is 2
	err_has "^obsenv: checkout: '.*' is not a valid tag or commit name$"
done
mnt checkout pkg01 -- -x
rc_is 2
err_is "obsenv: checkout: '-x' is not a valid tag or commit name"
mnt checkout pkg01 --upload-pack=x
rc_is 2
err_is "obsenv: checkout: unknown option '--upload-pack=x'"
audit_has "action=checkout .*result=failed exit=2 error=\"checkout: '-x' is not a valid"
grep -q $'\e' "$AUDIT" && errs+=("an escape byte reached the audit log")
[[ $(mgen) == "$g" ]] || errs+=("the environment changed")

t "checkout: unknown package, unknown tag, a tag outside the pattern"
mnt checkout nosuch v1
rc_is 2
err_is "obsenv: checkout: unknown package 'nosuch' (the policy names 3; see 'obsenv status')"
audit_has "action=checkout .*result=failed exit=2 error=\"checkout: unknown package 'nosuch'"
mnt checkout pgk01 v1
rc_is 2
err_is "obsenv: checkout: unknown package 'pgk01': did you mean 'pkg01'? (see 'obsenv status')"
mnt checkout pkg01 v99.99.99
rc_is 1
err_has "^obsenv: pkg01: no tag or commit 'v99.99.99' in the store"
git --git-dir="$M/remotes/pkg01.git" tag nightly deploy~1
run asuser $E2E_OWNER "$A" pull pkg01
rc_is 0
mnt checkout pkg01 nightly
rc_is 3
err_is "obsenv: pkg01: tag 'nightly' does not match the policy's allowed tags 'v*'"
audit_has "action=checkout .*result=failed exit=3"

t "observers may not checkout or pull"
run asuser $E2E_OBS "$A" checkout pkg01 "$tag"
rc_is 3
run asuser $E2E_OBS "$A" pull
rc_is 3
err_is "obsenv: $E2E_OBS may not run 'pull': no role in the policy allows it"

t "pull with nothing new makes no generation"
g=$(mgen)
run asuser $E2E_OWNER "$A" pull
rc_is 0
out_has "^pkg01: up to date \\([0-9a-f]{10}\\)$"
out_has "^nothing new: nothing changed \\(generation [0-9]+ is current\\)$"
[[ $(mgen) == "$g" ]] || errs+=("a generation was made")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER).*action=pull as=$E2E_OWNER role=timer .*result=ok"

t "pull moves deploy followers to a new commit, and keeps it reachable"
push pkg01 "hot fix 1"
push pkg02 "hot fix 2"
new1=$(mremote pkg01 deploy) new2=$(mremote pkg02 deploy) was0=$(mcommit pkg00)
run asuser $E2E_OWNER "$A" pull
rc_is 0
out_has "^pkg01: [0-9a-f]{10} -> ${new1:0:10} \\(deploy\\)$"
out_has "^pkg00: fetched; nothing new, but the package does not follow deploy and stays put$"
out_has "^generation [0-9]+ is current \\(2 packages moved\\)$"
[[ $(mcommit pkg01) == "$new1" && $(mcommit pkg02) == "$new2" ]] || errs+=("not on the new heads")
[[ $(mcommit pkg00) == "$was0" ]] || errs+=("pkg00 moved although it does not follow deploy")
[[ $(mstore pkg01 "refs/obsenv/deployed/$new1") == "$new1" ]] || errs+=("no ref keeps $new1")
[[ $(mstore pkg01 refs/heads/deploy) == "$new1" ]] || errs+=("the store's deploy branch did not move")
audit_has "action=pull .*result=ok pkg.pkg01=[0-9a-f]{40}\\.\\.$new1 pkg.pkg02=[0-9a-f]{40}\\.\\.$new2"
grep -q "setup -j pkg01" "$M/env/auto_env_setup.sh" || errs+=("auto_env_setup.sh missing after pull")

t "diff: the commits between base and now, and between two generations"
run asuser $E2E_OBS "$A" diff
rc_is 0
out_has "^base -> generation [0-9]+$"
out_has "^    \\+ ${new1:0:10} hot fix 1$"
cur=$(mgen); cur=${cur#generations/}
run asuser $E2E_OBS "$A" diff $((cur - 1)) "$cur"
rc_is 0
out_has "^pkg02: [0-9a-f]{10} \\(.*\\) -> ${new2:0:10} \\(.*\\)$"
out_has "^    \\+ ${new2:0:10} hot fix 2$"
out_has "^1 package unchanged$"
run asuser $E2E_OBS "$A" diff "$cur" $((cur - 1))
out_has "^    - ${new2:0:10} hot fix 2$"
run asuser $E2E_OBS "$A" diff 999
rc_is 1
err_is "obsenv: generation 999 is not kept (keep_generations is 10)"
run asuser $E2E_OBS "$A" diff x
rc_is 2

t "a force-pushed deploy branch is refused, loudly; the others still move"
w=$M/work/pkg02
git -C "$w" fetch -q origin && git -C "$w" reset -q --hard origin/deploy~1
echo rewritten >>"$w/CHANGES"
git -C "$w" add CHANGES
git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "rewritten history"
git -C "$w" push -q -f origin deploy
forced=$(mremote pkg02 deploy)
push pkg01 "hot fix 3"
new1=$(mremote pkg01 deploy)
run asuser $E2E_OWNER "$A" pull
rc_is 1
err_has "^obsenv: pkg02: FORCE-PUSHED: the remote's deploy is now $forced, which does not descend from $new2; refusing to move \\(a maintainer may accept it: pull --accept-rewrite pkg02 --reason TEXT\\)$"
err_has "^obsenv: pull: 1 of 3 packages failed: pkg02 \\(the others moved\\)$"
[[ $(mcommit pkg02) == "$new2" ]] || errs+=("pkg02 moved")
[[ $(mstore pkg02 refs/heads/deploy) == "$new2" ]] || errs+=("the store's deploy branch of pkg02 moved")
[[ $(mcommit pkg01) == "$new1" ]] || errs+=("pkg01 did not move")
audit_has "action=pull .*result=failed .*force_pushed.pkg02=$new2\\.\\.$forced failed.pkg02=.* exit=1"
audit_has "action=pull .*result=failed .*pkg.pkg01=[0-9a-f]{40}\\.\\.$new1"
# Put the remote back: history on deploy is never rewritten by obsenv.
git -C "$w" push -q -f origin "$new2:deploy"

t "an unreachable remote fails alone, and says which"
push pkg01 "hot fix 4"
new1=$(mremote pkg01 deploy)
mv "$M/remotes/pkg00.git" "$M/remotes/pkg00.gone"
run asuser $E2E_OWNER "$A" pull
rc_is 1
err_has "^obsenv: pkg00: the remote $M/remotes/pkg00.git does not exist \\(a local path\\)$"
[[ $err != *"unsupported URL protocol"* ]] || errs+=("libgit2's words reached the user: $err")
err_has "^obsenv: pkg00: "
err_has "^obsenv: pull: 1 of 3 packages failed: pkg00 \\(the others moved\\)$"
[[ $(mcommit pkg01) == "$new1" ]] || errs+=("pkg01 did not move")
envsafe
mv "$M/remotes/pkg00.gone" "$M/remotes/pkg00.git"

t "pull PKG fetches only that package; an unknown one is refused"
mnt pull nosuch
rc_is 2
err_is "obsenv: pull: unknown package 'nosuch' (the policy names 3; see 'obsenv status')"
mnt pull pkg0
rc_is 2
err_is "obsenv: pull: unknown package 'pkg0' (the policy names 3; see 'obsenv status')"
mnt pull pkg02 pkg-01
rc_is 2
err_is "obsenv: pull: unknown package 'pkg-01': did you mean 'pkg01'? (see 'obsenv status')"
audit_has "action=pull .*result=failed exit=2"
push pkg02 "hot fix 5"
mnt pull pkg01
rc_is 0
out_lacks "pkg02"
mnt pull --dry-run pkg02
rc_is 0
out_has "\\[dry run\\]$"
[[ $(mcommit pkg02) != "$(mremote pkg02 deploy)" ]] || errs+=("a dry run moved pkg02")

t "two pulls at once: both succeed, one moves"
g=$(mgen)
asuser $E2E_OWNER "$A" pull >"$T/p1" 2>&1 &
p1=$!
asuser $E2E_MNT "$A" pull >"$T/p2" 2>&1
rc2=$?
wait $p1
rc1=$?
[[ $rc1 == 0 && $rc2 == 0 ]] || errs+=("exit $rc1 and $rc2: $(cat "$T/p1" "$T/p2")")
[[ $(mcommit pkg02) == "$(mremote pkg02 deploy)" ]] || errs+=("pkg02 not on the new head")
[[ $(($(mgen | tr -dc 0-9) - ${g//[^0-9]/})) == 1 ]] || errs+=("$(mgen) after $g: more than one generation")
envsafe

t "a pull killed with SIGKILL: old or new generation, and the next pull works"
for i in 1 2 3 4 5 6; do
	push pkg01 "killed pull $i"
	g=$(mgen)
	asuser $E2E_OWNER "$A" pull >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 9 + 1))"
	kid=$(pgrep -P $pid)
	pkill -9 -P $pid 2>/dev/null; kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	# A run killed inside syncfs(2) ends when the sync does; until then its
	# .tmp- names are a live run's, which the next run rightly leaves.
	for _ in $(seq 200); do [[ -n $kid ]] && kill -0 $kid 2>/dev/null || break; sleep 0.05; done
	envsafe
	now=$(mgen)
	[[ $now == "$g" || ${now//[^0-9]/} == $((${g//[^0-9]/} + 1)) ]] || errs+=("run $i: $g -> $now")
done
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ $(mcommit pkg01) == "$(mremote pkg01 deploy)" ]] || errs+=("the next pull did not reach the head")
[[ -z $(find "$M/env" -name '.tmp-*' ! -name '.tmp-trash-*' | head -1) ]] ||
	errs+=("leftovers: $(find "$M/env" -name '.tmp-*' ! -name '.tmp-trash-*')")
# Trees a switching pull set aside go with the next pull that switches nothing.
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ -z $(find "$M/env" -name '.tmp-*' | head -1) ]] || errs+=("left after a pull with nothing new: $(find "$M/env" -name '.tmp-*')")

# git's lock files are looked for only when a run may have left some: the
# walk of every repository's refs is not free on every pull. Both ways a
# run ends without a word are tested: a kill (its lock record still says
# "held by", which is what a SIGKILL leaves), and a restart (a power cut
# need not leave any record on disk).
t "a ref lock a killed run left behind does not stop the next pull"
push pkg01 "after a stale lock"
for f in refs/heads/deploy.lock refs/obsenv/fetched/deploy.lock packed-refs.lock; do
	install -m 0644 -o $E2E_OWNER /dev/null "$M/env/repos/pkg01.git/$f"
done
printf 'held by pull by %s (pid 999999, since 2026-01-01 00:00:00 UTC)\n' $E2E_OWNER >"$M/env/.work.lock"
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ $(mcommit pkg01) == "$(mremote pkg01 deploy)" ]] || errs+=("the pull did not reach the head: $err")
[[ -z $(find "$M/env/repos" -name '*.lock') ]] || errs+=("stale locks stayed: $(find "$M/env/repos" -name '*.lock')")
audit_has "action=pull .*interrupted.work=\"pull by $E2E_OWNER \(pid 999999"

t "a ref lock left before a restart does not stop the next pull"
push pkg01 "after a restart"
install -m 0644 -o $E2E_OWNER /dev/null "$M/env/repos/pkg01.git/refs/heads/deploy.lock"
[[ -s $M/env/.git-locks-swept ]] || errs+=("no sweep was marked")
printf 'a-boot-before-this-one' >"$M/env/.git-locks-swept"
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ $(mcommit pkg01) == "$(mremote pkg01 deploy)" ]] || errs+=("the pull did not reach the head: $err")
[[ -z $(find "$M/env/repos" -name '*.lock') ]] || errs+=("stale locks stayed: $(find "$M/env/repos" -name '*.lock')")
[[ $(cat "$M/env/.git-locks-swept") == "$(cat /proc/sys/kernel/random/boot_id)" ]] ||
	errs+=("the sweep was not marked with this boot")

t "a pull after a clean run does not walk the repositories for lock files"
strace -f -qq -e trace=openat -o "$T/t72-locks.trace" \
	setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$A" pull >"$T/out" 2>&1
rc=$?
rc_is 0
# The sweep is the only thing that opens a repository's objects/pack
# relative to the repository's descriptor; libgit2 opens full paths.
grep -qE 'openat\([0-9]+, "objects/pack"' "$T/t72-locks.trace" &&
	errs+=("a clean pull looked for lock files")
grep -qE 'openat\([0-9]+, "\.work\.lock"' "$T/t72-locks.trace" ||
	errs+=("the trace saw no work lock taken: did strace follow obsenv?")
rm -f "$T/t72-locks.trace"

t "revert --dry-run, then revert"
g=$(mgen)
mnt revert --dry-run
rc_is 0
out_has "^dry run: reverting to generation [0-9]+ would change 1 package; nothing changed$"
[[ $(mgen) == "$g" ]] || errs+=("a dry run switched")

t "revert to a generation whose trees were not kept: rebuilt from the object store, audited"
# keep_trees is 2 (the default): the oldest kept generation lost the trees
# no newer generation and no base pin shares.
old=$(ls "$M/env/generations" | grep -E '^[0-9]+$' | sort -n | head -1)
g=$(mgen)
missing=()
while read -r _ p c _; do
	[[ -d $M/env/trees/$p/$c ]] || missing+=("$p $c")
done < <(grep '^pkg ' "$M/env/generations/$old/record")
if ((${#missing[@]} == 0)); then
	errs+=("every tree of generation $old is still on disk with keep_trees 2")
else
	read -r p c <<<"${missing[0]}"
	# The generation is kept, so history still names the tree's version.
	[[ -f $M/env/trees/$p/$c.meta ]] || errs+=("the .meta of $p's removed tree $c went with it")
	run asuser $E2E_OBS "$A" history --json
	v=$(jq -r --argjson g "$old" --arg p "$p" '.[] | select(.generation == $g) | .changes[] | select(.package == $p) | .version' <<<"$out")
	[[ -n $v && $v != null ]] || errs+=("history has no version for $p in generation $old: '$v'")
	mnt revert --dry-run "$old"
	rc_is 0
	out_has "^$p: the tree of ${c:0:12} is not kept; it would be rebuilt from the object store$"
	[[ -e $M/env/trees/$p/$c ]] && errs+=("a dry run rebuilt the tree")
	[[ $(mgen) == "$g" ]] || errs+=("a dry run switched")
	# Something in the way of the rebuild: the revert fails whole.
	runuser -u $E2E_OWNER -- touch "$M/env/trees/$p/$c"
	mnt revert "$old"
	rc_is 1
	err_has "^obsenv: $p: the tree of ${c:0:12} is not kept and cannot be rebuilt: "
	[[ $(mgen) == "$g" ]] || errs+=("a failed rebuild switched")
	audit_has "action=revert .*result=failed .*exit=1 error=\"$p: the tree of ${c:0:12} is not kept and cannot be rebuilt"
	rm -f "$M/env/trees/$p/$c"
	mnt revert "$old"
	rc_is 0
	out_has "^$p: the tree of ${c:0:12} was not kept; rebuilt from the object store$"
	out_has "^reverted to generation $old: generation [0-9]+ is current"
	[[ $(mcommit "$p") == "$c" ]] || errs+=("$p is on $(mcommit "$p"), not $c")
	audit_has "action=revert .*result=ok .*rebuilt\\.$p=$c"
	# The rebuilt tree is a working git worktree of its commit.
	run asuser $E2E_OWNER git -C "$M/env/$p" status --porcelain
	[[ $rc == 0 && -z $out ]] || errs+=("git status in the rebuilt tree: rc $rc: $out$err")
	run asuser $E2E_OWNER git -C "$M/env/$p" rev-parse HEAD
	[[ $out == "$c" ]] || errs+=("the rebuilt tree's HEAD is $out")
	# Back to where it was: that generation's trees are kept.
	mnt revert
	rc_is 0
	[[ $out == *rebuilt* ]] && errs+=("a kept generation's tree was rebuilt: $out")
	[[ $(mcommit "$p") != "$c" ]] || errs+=("the second revert left $p on $c")
fi

t "freeze: every change but rollback is refused with the reason; the timer is quiet"
mnt freeze --dry-run "critical observing: do not touch"
rc_is 0
out_has "^dry run: would freeze for \"critical observing: do not touch\"; nothing changed$"
[[ -e $M/env/frozen ]] && errs+=("a dry run froze the environment")
mnt freeze "critical observing: do not touch"
rc_is 0
out_has "^frozen by $E2E_MNT: \"critical observing: do not touch\"$"
audit_has "action=freeze .*result=ok reason=\"critical observing: do not touch\""
push pkg01 "while frozen"
g=$(mgen)
mnt checkout pkg01 "$tag"
rc_is 6
err_has "^obsenv: the environment is frozen since [0-9-]+ [0-9:]+ UTC by $E2E_MNT: \"critical observing: do not touch\"; only rollback is allowed until 'obsenv thaw'$"
mnt pull
rc_is 6
mnt revert
rc_is 6
run asuser $E2E_OWNER "$A" pull
rc_is 6
[[ -z $out$err ]] || errs+=("the timer's pull said: $out$err")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER).*action=pull .*result=failed exit=6 error=\"the environment is frozen"
[[ $(mgen) == "$g" ]] || errs+=("something changed while frozen")
mnt freeze "again"
rc_is 1
err_has "^obsenv: already frozen: "
run asuser $E2E_OBS "$A" status
rc_is 0
out_has "^FROZEN since [0-9-]+ [0-9:]+ UTC by $E2E_MNT: \"critical observing: do not touch\" \\(only rollback is allowed\\)$"
run asuser $E2E_OBS "$A" status --json
[[ $(jq -r '.frozen.by, .frozen.reason' <<<"$out" | tr '\n' '|') == "$E2E_MNT|critical observing: do not touch|" ]] || errs+=("json frozen: $out")
run asuser $E2E_OBS "$A" rollback
rc_is 0
out_has "^rolled back"

t "freeze: a reason with control bytes or none is refused; thaw ends it"
mnt freeze $'evil\e[2J'
rc_is 2
mnt freeze
rc_is 2
mnt thaw --dry-run
rc_is 0
out_has "^dry run: would end the freeze by $E2E_MNT since .*; nothing changed$"
[[ -e $M/env/frozen ]] || errs+=("a dry run thawed the environment")
mnt thaw
rc_is 0
out_has "^thawed: the freeze by $E2E_MNT since .* \\(\"critical observing: do not touch\"\\) is over$"
mnt thaw
rc_is 0
out_has "^not frozen: nothing changed$"
run asuser $E2E_OBS "$A" status --json
[[ $(jq -r .frozen <<<"$out") == null ]] || errs+=("still frozen in status: $out")
run asuser $E2E_OWNER "$A" pull
rc_is 0

t "the pull unit's command, run as its User= with no_new_privs (setuid ignored)"
unit=$SRC/packaging/systemd/obsenv-pull.service
user=$(sed -n 's/^User=//p' "$unit")
cmd=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $user == obs_user && $cmd == "/usr/bin/obsenv pull" ]] || errs+=("unit: User=$user ExecStart=$cmd")
grep -qx "NoNewPrivileges=yes" "$unit" && grep -qx "SuccessExitStatus=6" "$unit" || errs+=("unit lacks NoNewPrivileges or SuccessExitStatus=6")
# A fix pushed at any moment is pulled within a minute: the next pull
# starts at most OnUnitInactiveSec + RandomizedDelaySec after the last.
timer=$SRC/packaging/systemd/obsenv-pull.timer
secs() { sed -n "s/^$1=\([0-9]*\)s$/\1/p" "$timer"; }
wait_max=$(($(secs OnUnitInactiveSec) + $(secs RandomizedDelaySec)))
((wait_max > 0 && wait_max <= 40)) || errs+=("timer: a pull may wait ${wait_max}s after the last")
grep -q "^OnCalendar" "$timer" && errs+=("timer: OnCalendar counts from the clock, not from the end of the last pull")
mnt checkout pkg02 deploy
push pkg02 "from the timer"
run setpriv --reuid=$E2E_OWNER --regid="$(id -g $E2E_OWNER)" --init-groups --no-new-privs --reset-env -- "$A" ${cmd#/usr/bin/obsenv }
rc_is 0
out_has "^pkg02: [0-9a-f]{10} -> [0-9a-f]{10} \\(deploy\\)$"
[[ $(mcommit pkg02) == "$(mremote pkg02 deploy)" ]] || errs+=("pkg02 did not move")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)euid=$UID_OWNER .*action=pull as=$E2E_OWNER role=timer .*result=ok pkg.pkg02="

t "pin a tag: the base file is rewritten, the tree made, the environment not switched"
git -C "$M/work/pkg00" fetch -q 2>/dev/null
tag=$(git --git-dir="$M/remotes/pkg00.git" tag -l 'v*' | sort -V | tail -1)
c=$(mremote pkg00 "$tag^{commit}")
old=$(awk '/pkg00:/ { f = 1 } f && $1 == "commit:" { print $2; exit }' "$M/owner/base.yaml")
cp "$M/owner/base.yaml" "$T/base.before"
g=$(mgen)
mnt pin pkg00 "$tag"
rc_is 0
out_has "^pkg00: base pin v[0-9.]+ ${old:0:10} -> $tag ${c:0:10}$"
out_has "^wrote $M/owner/base.yaml: 1 pin changed; the running environment is unchanged \\('obsenv rollback' switches to the new base\\)$"
out_has "^the previous base file is kept as $M/env/base-history/[0-9T]+Z.yaml$"
[[ $(mgen) == "$g" ]] || errs+=("pin switched the environment")
grep -qx "  pkg00: {tag: \"$tag\", commit: \"$c\"}" "$M/owner/base.yaml" || errs+=("base file: $(cat "$M/owner/base.yaml")")
cmp -s "$T/base.before" "$(ls "$M"/env/base-history/*.yaml | tail -1)" || errs+=("the old base file was not kept")
[[ -d $M/env/trees/pkg00/$c ]] || errs+=("the tree of the new pin was not made")
[[ $(stat -c %U "$M/owner/base.yaml") == "$E2E_OWNER" ]] || errs+=("base file owner")
audit_has "action=pin as=$E2E_OWNER role=maintainers .*result=ok pin.pkg00=$old\\.\\.$c"
run asuser $E2E_OBS "$A" rollback
rc_is 0
[[ $(mcommit pkg00) == "$c" ]] || errs+=("rollback did not use the new pin")

t "pin: refused input leaves the base file as it was"
sum=$(sha256sum <"$M/owner/base.yaml")
mnt pin nosuch v1
rc_is 2
mnt pin pkg00 'v1..2'
rc_is 2
err_is "obsenv: pin: 'v1..2' is not a valid tag or commit name"
mnt pin pkg01 nightly
rc_is 3
err_is "obsenv: pkg01: tag 'nightly' does not match the policy's allowed tags 'v*'"
mnt pin --dry-run pkg01 "$(git --git-dir="$M/remotes/pkg01.git" tag -l 'v*' | sort -V | tail -1)"
rc_is 0
out_has "^dry run: 1 pin would change; nothing changed$"
run asuser $E2E_OBS "$A" pin pkg00 "$tag"
rc_is 3
[[ $(sha256sum <"$M/owner/base.yaml") == "$sum" ]] || errs+=("the base file changed")

t "pin: a tag off the deploy branch needs --force-unreachable, and the reason is audited"
w=$M/work/pkg01
git -C "$w" fetch -q origin && git -C "$w" checkout -q -B side origin/deploy~2
echo side >>"$w/CHANGES" && git -C "$w" add CHANGES && git -C "$w" -c user.name=t -c user.email=t@t commit -q -m side
git -C "$w" tag v9.0.0 && git -C "$w" push -q origin v9.0.0 && git -C "$w" checkout -q deploy
side=$(mremote pkg01 "v9.0.0^{commit}")
run asuser $E2E_OWNER "$A" pull pkg01
mnt pin pkg01 v9.0.0
rc_is 1
err_is "obsenv: pkg01: v9.0.0 $side is not on the deploy branch 'deploy'; pin it with --force-unreachable REASON if you must"
mnt pin --force-unreachable "testing the side fix on sky" pkg01 v9.0.0
rc_is 0
audit_has "action=pin .*result=ok force_unreachable=\"testing the side fix on sky\" pin.pkg01=[0-9a-f]{40}\\.\\.$side"

t "pin --import: a cycle build file, read as the caller, all or nothing"
git --git-dir="$M/remotes/pkg01.git" tag v1.5.0-alpha.2 deploy~1
git --git-dir="$M/remotes/pkg02.git" tag v2.0.0.rc.1 deploy~1
git --git-dir="$M/remotes/pkg02.git" tag v2.0.0-rc.1 deploy~2
run asuser $E2E_OWNER "$A" pull
H_MNT=$(getent passwd $E2E_MNT | cut -d: -f6)
printf '# cycle 38\nts_xml=20.1.0\nother_pkg=1.2.3\npkg01=1.5.0a2\npkg02=2.0.0rc1\n' >"$H_MNT/cycle.env"
chown $E2E_MNT "$H_MNT/cycle.env" && chmod 0600 "$H_MNT/cycle.env"
sum=$(sha256sum <"$M/owner/base.yaml")
mnt pin --import "$H_MNT/cycle.env"
rc_is 1
err_is "$H_MNT/cycle.env:5: pkg02=2.0.0rc1: names two commits ($(mremote pkg02 'deploy~1') and others); pin it by hand"$'\n'"obsenv: pin --import: nothing pinned: 1 problem (above)"
[[ $(sha256sum <"$M/owner/base.yaml") == "$sum" ]] || errs+=("the base file changed")
printf 'pkg01=1.5.0a2\npkg02=deploy\nnot_a_package=1\n' >"$H_MNT/cycle.env"
mnt pin --import "$H_MNT/cycle.env"
rc_is 0
out_has "^$H_MNT/cycle.env: 1 name not in the policy skipped$"
# What was in the file, which the caller may change or delete afterwards.
audit_has "action=pin .*result=ok import_sha256=$(sha256sum <"$H_MNT/cycle.env" | cut -c1-64) import.pkg01=\"1.5.0a2 -> v1.5.0-alpha.2 $(mremote pkg01 'deploy~1')\" import.pkg02=\"deploy -> deploy $(mremote pkg02 deploy)\" pin.pkg01="
out_has "^pkg00: not in $H_MNT/cycle.env; keeps its pin$"
grep -qx "  pkg01: {tag: \"v1.5.0-alpha.2\", commit: \"$(mremote pkg01 'deploy~1')\"}" "$M/owner/base.yaml" || errs+=("pkg01: $(grep pkg01 "$M/owner/base.yaml")")
grep -qx "  pkg02: {commit: \"$(mremote pkg02 deploy)\"}" "$M/owner/base.yaml" || errs+=("pkg02: $(grep pkg02 "$M/owner/base.yaml")")
printf 'pkg01=9.9.9\npkg02=deploy\n' >"$H_MNT/cycle.env"
mnt pin --import "$H_MNT/cycle.env"
rc_is 1
err_has "pkg01=9.9.9: no such tag"
# Read with the caller's rights: a file only the owner may read is not.
install -m 0600 -o $E2E_OWNER /dev/null "$T/owner-only.env"
echo "pkg01=1.5.0a2" >"$T/owner-only.env"
mnt pin --import "$T/owner-only.env"
rc_is 1
err_has "Permission denied"
run asuser $E2E_OBS "$A" rollback
rc_is 0
[[ $(mcommit pkg02) == "$(mremote pkg02 deploy)" && $(mcommit pkg01) == "$(mremote pkg01 'deploy~1')" ]] ||
	errs+=("rollback is not on the imported pins")

t "a pin that fails at the base file leaves rollback working on the old pins"
sum=$(sha256sum <"$M/owner/base.yaml")
chmod 0555 "$M/owner"
for i in 1 2; do
	mnt pin pkg01 "$(git --git-dir="$M/remotes/pkg01.git" tag -l 'v*' | sort -V | sed -n "${i}p")"
	rc_is 1
	err_is "obsenv: base file $M/owner/base.yaml: cannot create base.yaml: Permission denied"
done
chmod 0755 "$M/owner"
[[ $(sha256sum <"$M/owner/base.yaml") == "$sum" ]] || errs+=("the base file changed")
mnt revert
run asuser $E2E_OBS "$A" rollback
rc_is 0
out_has "^rolled back"

# A pull fetches, moves deploy, checks the limits and checks out: one
# handle serves every step, so a config someone changed is reset (a
# .tmp-config- file made) once per repository, not once per step; one that
# is as obsenv wrote it is not written at all.
t "pull opens each repository once: its config is rewritten once, not per step"
mnt checkout pkg02 deploy
push pkg02 "opened once"
printf '[user]\n\tname = someone\n' >>"$M/env/repos/pkg02.git/config"
strace -f -qq -e trace=openat -o "$T/pull.trace" \
	setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$A" pull pkg02 >"$T/out" 2>&1
rc=$?
rc_is 0
[[ $(mcommit pkg02) == "$(mremote pkg02 deploy)" ]] || errs+=("the new commit did not land: $(cat "$T/out")")
n=$(grep -c '\.tmp-config-' "$T/pull.trace")
((n == 1)) || errs+=("the config was rewritten $n times")
grep -q 'name = someone' "$M/env/repos/pkg02.git/config" && errs+=("the changed config stayed")
strace -f -qq -e trace=openat -o "$T/pull.trace" \
	setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- "$A" pull pkg02 >"$T/out" 2>&1
n=$(grep -c '\.tmp-config-' "$T/pull.trace")
((n == 0)) || errs+=("a config as obsenv wrote it was rewritten $n times")
rm -f "$T/pull.trace"

# A mirror on a local path: what a pull writes grows with what is new, not
# with the history or the tags (libgit2's own transport sent every tag's
# whole tree on every fetch).
packs() { find "$M/env/repos/$1.git/objects/pack" -name '*.idx' | sort; }
new_objects() { # new_objects PKG BEFORE: objects in the packs that are not in BEFORE
	local n=0 i
	for i in $(comm -13 <(echo "$2") <(packs "$1")); do
		n=$((n + $(git verify-pack -v "$i" | grep -cE '^[0-9a-f]{40} (commit|tree|blob|tag) ')))
	done
	echo $n
}
t "pull over a local path: a no-op pull writes no objects and no ref, a one-file commit a handful"
mnt pull pkg02
before=$(packs pkg02)
touch "$T/stamp"
mnt pull pkg02
rc_is 0
[[ $(packs pkg02) == "$before" ]] || errs+=("a pull with nothing new wrote a pack: $(new_objects pkg02 "$before") objects")
# A ref rewritten with its own value still makes and removes a lock file
# next to it: its directory would be newer than the stamp.
changed=$(find "$M/env/repos/pkg02.git/refs" -newer "$T/stamp" | head -5)
[[ -z $changed ]] || errs+=("a pull with nothing new wrote refs: $changed")
push pkg02 "one file"
mnt pull pkg02
rc_is 0
[[ $(mcommit pkg02) == "$(mremote pkg02 deploy)" ]] || errs+=("the new commit did not land: $(cat "$T/err")")
n=$(new_objects pkg02 "$before")
((n >= 3 && n <= 6)) || errs+=("a one-file commit wrote $n objects (expected the commit, its tree and the blob)")
git -c safe.directory='*' --git-dir="$M/env/repos/pkg02.git" fsck --no-dangling >"$T/fsck" 2>&1 ||
	errs+=("git fsck of the store failed: $(head -c 400 "$T/fsck")")
before=$(packs pkg02)
w=$M/work/pkg02
git -C "$w" tag -a -m "new tag" mark-1 HEAD~3 && git -C "$w" push -q origin mark-1
mnt pull pkg02
rc_is 0
[[ $(mstore pkg02 refs/tags/mark-1) == "$(mremote pkg02 refs/tags/mark-1)" ]] || errs+=("the new tag was not fetched")
n=$(new_objects pkg02 "$before")
((n == 1)) || errs+=("a new tag on a known commit wrote $n objects (expected the tag object alone)")

# A remote's commit summary on an observer's terminal: C1 controls (8-bit
# CSI, raw and encoded) and a bidirectional override become '?'.
t "diff: C1 controls and bidi overrides in a commit summary never reach the terminal"
push pkg02 $'evil \x9b2J \xc2\x9b31m \xe2\x80\xaeexe.txt \xc3\xa9t\xc3\xa9'
mnt pull pkg02
rc_is 0
c=$(mremote pkg02 deploy)
run asuser $E2E_OBS "$A" diff
rc_is 0
out_has "^    \+ ${c:0:10} evil \?2J \?31m \?exe\.txt été$"
LC_ALL=C grep -q $'\x9b\|\xe2\x80\xae' <<<"$out" && errs+=("a control reached the terminal")

t "base-history is never overwritten: with every name of this second taken, pin refuses"
sum=$(sha256sum <"$M/owner/base.yaml")
now=$(date -u +%s)
# Every second the pin may run in, on a loaded machine too (no fork per
# file: 100 a second must not take the seconds they stand for).
for s in $(seq 0 60); do
	stamp=$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)
	echo "kept $stamp 1" >"$M/env/base-history/$stamp.yaml"
	for ((i = 2; i <= 100; i++)); do
		echo "kept $stamp $i" >"$M/env/base-history/$stamp-$i.yaml"
	done
done
chown $E2E_OWNER "$M"/env/base-history/*
hist=$(cd "$M/env/base-history" && sha256sum -- * | sha256sum)
tag=$(git --git-dir="$M/remotes/pkg01.git" tag -l 'v*' | sort -V | head -1)
mnt pin pkg01 "$tag"
rc_is 1
err_has "^obsenv: $M/env/base-history: 100 base files from this second exist already$"
[[ $(sha256sum <"$M/owner/base.yaml") == "$sum" ]] || errs+=("the base file changed")
[[ $(cd "$M/env/base-history" && sha256sum -- * | sha256sum) == "$hist" ]] || errs+=("a kept base file was replaced")
audit_has "action=pin .*result=failed exit=1 error=\"$M/env/base-history: 100 base files"
for s in $(seq 0 60); do rm -f "$M/env/base-history/$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)"*; done

t "a generation that cannot be trimmed: the change stands, the warning is on stderr and in the audit record"
old=$(ls "$M/env/generations" | grep -E '^[0-9]+$' | sort -n | head -1)
install -d -m 0755 -o root -g root "$M/env/generations/$old/planted"
: >"$M/env/generations/$old/planted/file"
tag=$(git --git-dir="$M/remotes/pkg00.git" tag -l 'v*' | sort -V | head -1)
warned=
for i in $(seq 30); do
	if ((i % 2)); then mnt checkout pkg00 "$tag"; else mnt checkout pkg00 deploy; fi
	rc_is 0
	if grep -q "^obsenv: warning: old generations were not removed: " <<<"$err"; then
		warned=1
		audit_has "$(rec allow "$UID_MNT" $E2E_MNT).*action=checkout.*result=ok.* warning=\"old generations were not removed: "
		break
	fi
done
[[ -n $warned ]] || errs+=("no warning after 30 changes; generations: $(ls "$M/env/generations")")
envsafe

# The generation that could not be emptied is left under a .tmp- name, and
# the planted directory is still in it.
t "a leftover nobody can remove does not block a rollback or a change; a warning names it"
gone=$(cd "$M/env/generations" && ls -d .tmp-gone-* 2>/dev/null | head -1)
[[ -n $gone && -d $M/env/generations/$gone/planted ]] || errs+=("no unremovable leftover: $(ls -a "$M/env/generations")")
for cmd in rollback "checkout pkg00 $tag"; do
	# shellcheck disable=SC2086
	run asuser $E2E_MNT "$A" $cmd
	rc_is 0
	err_has "^obsenv: warning: leftovers of an earlier run were not removed: cannot remove $gone/\.\.\./file: Permission denied$"
	audit_has "action=${cmd%% *} .*result=ok.* warning\.leftovers=\"leftovers of an earlier run were not removed: cannot remove $gone/"
done
[[ $(mcommit pkg00) == "$(mremote pkg00 "$tag^{commit}")" ]] || errs+=("the checkout did not land")
envsafe
find "$M/env/generations" -depth -name planted -exec rm -rf {} +
mnt checkout pkg00 deploy
rc_is 0
[[ -z $err ]] || errs+=("a warning once the leftover is removable: $err")
[[ -z $(cd "$M/env/generations" && ls -d .tmp-* 2>/dev/null) ]] || errs+=("leftovers stay: $(ls -a "$M/env/generations")")
