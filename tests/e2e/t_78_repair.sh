# Base trees rebuilt from the object store, offline: a missing one by
# rollback, a damaged one by verify --repair and by the timer's pull once
# every verify_interval.
# needs: 70
B78() { base_of "$1"; }
tree78() { echo "$T/env/trees/$1/$(B78 "$1")"; }
# same_as_commit PKG: the base tree holds exactly the commit's files (the
# fixture remote's git archive), git in it is clean, and it is read-only.
same_as_commit() {
	local p=$1 d c
	d=$(tree78 "$p") c=$(B78 "$p")
	rm -rf "$T/arch78" && mkdir "$T/arch78"
	git --git-dir="$FX/remotes/$p.git" archive "$c" | tar -x -C "$T/arch78"
	diff -r -x .git "$T/arch78" "$d" >/dev/null 2>&1 || errs+=("$p: the tree differs from $c: $(diff -rq -x .git "$T/arch78" "$d" 2>&1 | head -3)")
	run runuser -u $E2E_OWNER -- git -C "$d" status --porcelain
	[[ $rc == 0 && -z $out ]] || errs+=("$p: git status in the tree: exit $rc: $out $err")
	run runuser -u $E2E_OWNER -- git -C "$d" rev-parse HEAD
	[[ $out == "$c" ]] || errs+=("$p: HEAD of the tree is $out, not $c")
	[[ $(cat "$T/env/repos/$p.git/worktrees/$c/gitdir") == "$d/.git" ]] || errs+=("$p: the worktree's gitdir")
	[[ -z $(find "$d" -perm -u+w ! -type l | head -1) ]] || errs+=("$p: the tree is writable: $(find "$d" -perm -u+w ! -type l | head -1)")
	# (A tree a checkout set aside, .tmp-trash-, waits for the next pull.)
	[[ -z $(ls -A "$T/env/trees/$p" | grep '^\.tmp-' | grep -v '^\.tmp-trash-') ]] || errs+=("$p: leftovers: $(ls -A "$T/env/trees/$p")")
}
# off_base PKG...: the packages follow their deploy heads again.
off_base() {
	local p
	for p; do
		[[ $(commit_at "$p") == "$(B78 "$p")" ]] && sudo_mnt checkout "$p" deploy >/dev/null
	done
	for p; do [[ $(commit_at "$p") != "$(B78 "$p")" ]] || errs+=("set-up: $p is on its base"); done
}
# damage PKG: as root, one file edited, one removed, one added.
damage() {
	local d f g
	d=$(tree78 "$1")
	f=$(find "$d" -name '*.py' -path '*/python/*' | sort | head -1)
	g=$(find "$d" -name '*.py' -path '*/python/*' | sort | tail -1)
	[[ -n $f && $f != "$g" ]] || { errs+=("set-up: no files to damage in $d"); return; }
	chmod u+w "$f" "$(dirname "$g")" "$d"
	echo "# edited by hand" >>"$f"
	rm -f "$g"
	echo "stray" >"$d/stray.txt"
	chmod u-w "$f" "$(dirname "$g")" "$d"
	DAMAGED=$f REMOVED=$g
}

t "rollback --dry-run with a base tree missing: says it would rebuild it, changes nothing"
off_base pkg00 pkg01 pkg02
g=$(gen_of)
rm -rf "$(tree78 pkg01)"
run sudo_obs rollback --dry-run
rc_is 0
err_has "^obsenv: warning: pkg01: the base tree $(B78 pkg01) is missing; it would be rebuilt from the object store$"
out_has "^pkg01: [0-9a-f]{10} .* -> $(B78 pkg01 | cut -c1-10) "
[[ ! -e $(tree78 pkg01) ]] || errs+=("a dry run made the tree")
[[ $(gen_of) == "$g" ]] || errs+=("a dry run switched")
audit_has "action=rollback .*result=ok.* would_rebuild\.pkg01=$(B78 pkg01)"

t "a base tree removed by root: an observer's rollback through sudo rebuilds it and moves it with the others"
[[ ! -e $(tree78 pkg01) ]] || errs+=("set-up: the tree is there")
run sudo_obs rollback
rc_is 0
err_is "obsenv: warning: pkg01: the base tree $(B78 pkg01) was missing; rebuilt from the object store"
out_has "^rolled back 3 packages: generation [0-9]+ is current$"
for p in pkg00 pkg01 pkg02; do
	[[ $(commit_at $p) == "$(B78 $p)" ]] || errs+=("$p is on $(commit_at $p), not its base")
done
same_as_commit pkg01
[[ $(stat -c %U "$(tree78 pkg01)") == "$E2E_OWNER" ]] || errs+=("the tree is not the owner's")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_OBS .*action=rollback .*result=ok .*rebuilt\.pkg01=$(B78 pkg01)"
audit_has "action=rollback .*result=ok .*pkg\.pkg01=[0-9a-f]{40}\.\.$(B78 pkg01)"

t "a base tree missing whose commit is not in the store: the package stays, named, exit 7"
asuser $E2E_MNT "$OBSENV" revert >/dev/null
before=$(commit_at pkg01)
[[ $before != "$(B78 pkg01)" ]] || errs+=("set-up: pkg01 is on its base")
cp -a "$T/env/repos/pkg01.git" "$T/repo78.aside"
rm -rf "$(tree78 pkg01)" "$T/env/repos/pkg01.git/objects/pack" "$T/env/repos/pkg01.git/objects/"??
run sudo_obs rollback
rc_is 7
err_has "^obsenv: pkg01: the tree of base pin $(B78 pkg01 | cut -c1-10) is missing and was not rebuilt \(pkg01: commit $(B78 pkg01) is not in the repository\); it stays where it is$"
err_has "^obsenv: rollback: 1 of 3 packages could not be put on a verified base: pkg01$"
[[ $(commit_at pkg01) == "$before" ]] || errs+=("pkg01 moved to $(commit_at pkg01)")
[[ $(commit_at pkg00) == "$(B78 pkg00)" && $(commit_at pkg02) == "$(B78 pkg02)" ]] ||
	errs+=("the others are not on their base")
[[ ! -e $(tree78 pkg01) ]] || errs+=("something was made at the tree's path")
[[ -z $(ls -A "$T/env/trees/pkg01" | grep '^\.tmp-' | grep -v '^\.tmp-trash-') ]] || errs+=("leftovers: $(ls -A "$T/env/trees/pkg01")")
audit_has "action=rollback .*result=failed .*not_moved\.pkg01=.*not in the repository.* exit=7"
rm -rf "$T/env/repos/pkg01.git"
mv "$T/repo78.aside" "$T/env/repos/pkg01.git"
run sudo_obs rollback
rc_is 0
[[ $(commit_at pkg01) == "$(B78 pkg01)" ]] || errs+=("the store back: pkg01 is still on $(commit_at pkg01)")
same_as_commit pkg01

t "verify: a base tree edited by hand is found, named, and left alone"
# An earlier pull may have made one already (its periodic check).
rm -f "$T/env/last-verify"
damage pkg00
lv=$(cat "$T/env/last-verify" 2>/dev/null || echo none)
run sudo_mnt verify
rc_is 1
out_has "^pkg00: the base tree $(B78 pkg00 | cut -c1-10) differs from its commit in 3 files$"
out_has "^pkg01: the base tree $(B78 pkg01 | cut -c1-10) matches its commit$"
err_is "obsenv: verify: 1 base tree is missing or changed: pkg00 (run 'obsenv verify --repair')"
grep -q "# edited by hand" "$DAMAGED" || errs+=("verify without --repair changed the tree")
[[ $(cat "$T/env/last-verify" 2>/dev/null || echo none) == "$lv" ]] || errs+=("verify without --repair wrote last-verify")
audit_has "action=verify .*result=failed exit=1"
run sudo_obs verify
rc_is 3

t "verify --repair: the damaged tree is rebuilt beside it and swapped in; git status is clean"
ino=$(stat -c %i "$(tree78 pkg00)")
run sudo_mnt verify --repair
rc_is 0
err_is "obsenv: warning: pkg00: the base tree $(B78 pkg00) differed from its commit in 3 files; rebuilt from the object store"
out_has "^the base trees match their commits \(verified now\)$"
same_as_commit pkg00
[[ $(stat -c %i "$(tree78 pkg00)") != "$ino" ]] || errs+=("the tree was not replaced")
[[ -f $REMOVED && ! -e $(tree78 pkg00)/stray.txt ]] || errs+=("the removed file is not back, or the added one is still there")
grep -q "# edited by hand" "$T/env/pkg00/${DAMAGED#"$(tree78 pkg00)"/}" && errs+=("the stable path shows the edit")
[[ $(stat -c %U "$T/env/last-verify") == "$E2E_OWNER" ]] || errs+=("last-verify: $(ls -l "$T/env/last-verify" 2>&1)")
grep -qE "^verified [0-9]+$" "$T/env/last-verify" || errs+=("last-verify: $(cat "$T/env/last-verify")")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_MNT .*action=verify .*result=ok .*repaired\.pkg00=\"$(B78 pkg00) files=3\""
audit_has "action=verify .*result=ok .*verified=3"
run sudo_mnt verify
rc_is 0
out_has "^pkg00: the base tree $(B78 pkg00 | cut -c1-10) matches its commit$"

t "a reader never sees a half tree while it is repaired"
# The reader opens a file by the stable path, over and over; each repair
# makes the whole new tree first and swaps it in with one rename, so every
# read finds the file, with the commit's bytes.
want=$(sha256sum <"$T/env/pkg00/README.rst" | cut -c1-16)
asuser $E2E_OBS bash -c 'while [[ ! -e $2 ]]; do { sha256sum <"$1" || echo missing; } 2>/dev/null | cut -c1-16; done' \
	_ "$T/env/pkg00/README.rst" "$T/stop78" >"$T/reader78" &
rpid=$!
for i in 1 2 3 4 5; do
	damage pkg00
	sudo_mnt verify --repair >/dev/null 2>&1 || errs+=("repair $i failed")
done
touch "$T/stop78"
wait $rpid
rm -f "$T/stop78"
seen=$(sort -u "$T/reader78" | tr '\n' ' ')
[[ $seen == "$want " ]] || errs+=("the reader saw $seen, expected only $want")
[[ $(wc -l <"$T/reader78") -gt 5 ]] || errs+=("the reader hardly ran: $(wc -l <"$T/reader78") reads")
same_as_commit pkg00

t "the timer's pull checks the base trees once every verify_interval, and repairs them"
cp "$POLICY" "$T/policy78.orig"
echo "verify_interval: 600" >>"$POLICY"
damage pkg02
printf 'verified 1000\n' | install -m 0644 -o $E2E_OWNER /dev/stdin "$T/env/last-verify"
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
err_is "obsenv: warning: pkg02: the base tree $(B78 pkg02) differed from its commit in 3 files; rebuilt from the object store"
same_as_commit pkg02
now=$(date +%s)
last=$(sed -n 's/^verified //p' "$T/env/last-verify")
((last >= now - 60 && last <= now)) || errs+=("last-verify says $last, now is $now")
audit_has "action=pull .*result=ok .*repaired\.pkg02=\"$(B78 pkg02) files=3\" verified=3"

t "a second pull within verify_interval does not check again"
damage pkg02
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
err_is ""
grep -q "# edited by hand" "$DAMAGED" || errs+=("the second pull repaired the tree")
[[ $(sed -n 's/^verified //p' "$T/env/last-verify") == "$last" ]] || errs+=("last-verify changed")
audit_has "action=pull .*result=ok"
r=$(records)
grep -qE "verified=|repaired\." <<<"$r" && errs+=("the second pull verified: $r")

t "a damaged last-verify is named, and the check runs; verify_interval 0 never checks"
printf 'verified 1x\n' | install -m 0644 -o $E2E_OWNER /dev/stdin "$T/env/last-verify"
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
err_has "^obsenv: warning: $T/env/last-verify: bad time; verifying the base trees now$"
err_has "^obsenv: warning: pkg02: the base tree $(B78 pkg02) differed from its commit in 3 files; rebuilt from the object store$"
same_as_commit pkg02
audit_has "action=pull .*result=ok .*warning\.last_verify=.*repaired\.pkg02="
sed -i 's/^verify_interval: 600$/verify_interval: 0/' "$POLICY"
printf 'verified 1000\n' | install -m 0644 -o $E2E_OWNER /dev/stdin "$T/env/last-verify"
damage pkg02
run asuser $E2E_OWNER "$OBSENV" pull
rc_is 0
err_is ""
grep -q "# edited by hand" "$DAMAGED" || errs+=("verify_interval 0: the pull repaired the tree")
cp "$T/policy78.orig" "$POLICY"
run sudo_mnt verify --repair
rc_is 0
same_as_commit pkg02
# Back to the deploy heads, for the tests after this one.
off_base pkg00 pkg01 pkg02

t "verify without --repair only looks: output that cannot be written is its failure"
runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" verify >/dev/full 2>"$T/err"
rc=$? err=$(<"$T/err")
rc_is 1
err_has "^obsenv: cannot write output: No space left on device$"
runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" verify --repair >/dev/full 2>"$T/err"
rc=$? err=$(<"$T/err")
rc_is 0
err_has "the verify itself finished$"
