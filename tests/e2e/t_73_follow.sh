# Forward again, on purpose: after a rollback nothing follows deploy, so
# `follow` puts packages back on their deploy heads; and a deploy branch
# rewritten on purpose is accepted only by a maintainer who names the
# package and gives a reason.
e2e_alt_install
F=$T/fw
A=$ALT/obsenv
install -d -m 0755 "$F" "$F/remotes" "$F/work"
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$F/env"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$F/remotes/"; done
install -d -m 0755 -o $E2E_OWNER "$F/owner"
install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$F/owner/base.yaml"
cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $F/env
base_file: $F/owner/base.yaml
lock_timeout: 3
packages:
  pkg00: {remote: $F/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $F/remotes/pkg01.git, tags: "v*"}
  pkg02: {remote: $F/remotes/pkg02.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback, history] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
  timer:       { users: [$E2E_OWNER], actions: [pull] }
  pullers:     { users: [$E2E_OUT], actions: [pull] }
YAML
fcommit() { basename "$(readlink -f "$F/env/$1")"; }
fhead() { git --git-dir="$F/remotes/$1.git" rev-parse deploy; }
fstore() { git -c safe.directory='*' --git-dir="$F/env/repos/$1.git" rev-parse "$2"; }
fpush() {
	local w=$F/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$F/remotes/$1.git" "$w"
	git -C "$w" pull -q --ff-only
	echo "$2" >>"$w/CHANGES"
	git -C "$w" add CHANGES
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$2"
	git -C "$w" push -q origin deploy
}
run asuser $E2E_MNT "$A" init
[[ $rc == 0 ]] || echo "# t_73: init failed: $err"
run asuser $E2E_OBS "$A" rollback

t "after a rollback, pull moves nothing; follow puts every package back on deploy, and pulls move it again"
fpush pkg01 "fix 1"
run asuser $E2E_OWNER "$A" pull
rc_is 0
out_has "^pkg01: fetched; deploy moved, but the package does not follow deploy and stays put$"
[[ $(fcommit pkg01) == "$(fx_base pkg01)" ]] || errs+=("pkg01 moved although rolled back")
run asuser $E2E_MNT "$A" follow
rc_is 0
out_has "^pkg00: [0-9a-f]{10} \\(.*\\) -> [0-9a-f]{10} \\(deploy\\), following it from now on$"
out_has "^generation [0-9]+ is current: 3 packages follow deploy again \\(as of the last fetch; 'obsenv pull' brings anything newer\\)$"
for p in pkg00 pkg01 pkg02; do [[ $(fcommit $p) == "$(fhead $p)" ]] || errs+=("$p is not on its deploy head"); done
audit_has "$(rec allow "$UID_MNT" $E2E_MNT).*action=follow .*result=ok.*pkg\\.pkg01=$(fx_base pkg01)\\.\\.$(fhead pkg01)"
fpush pkg02 "fix 2"
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ $(fcommit pkg02) == "$(fhead pkg02)" ]] || errs+=("pkg02 did not follow the new fix")
run asuser $E2E_MNT "$A" history -n 3
out_has "follow"

t "follow one package; a package already following is left alone; --dry-run changes nothing"
run asuser $E2E_OBS "$A" rollback
g=$(readlink "$F/env/current")
run asuser $E2E_MNT "$A" follow --dry-run pkg00
rc_is 0
out_has "^dry run: 1 package would follow deploy again; nothing changed$"
[[ $(readlink "$F/env/current") == "$g" ]] || errs+=("a dry run switched")
run asuser $E2E_MNT "$A" follow pkg00
rc_is 0
[[ $(fcommit pkg00) == "$(fhead pkg00)" ]] || errs+=("pkg00 not on deploy")
[[ $(fcommit pkg01) == "$(fx_base pkg01)" ]] || errs+=("pkg01 moved although not named")
run asuser $E2E_MNT "$A" follow pkg00
rc_is 0
out_has "^pkg00: follows deploy already \\([0-9a-f]{10}\\)$"
out_has "^nothing changed \\(generation [0-9]+ is current\\)$"

t "follow: an observer is refused, an unknown package is refused, a frozen environment refuses"
g=$(readlink "$F/env/current")
run asuser $E2E_OBS "$A" follow
rc_is 3
err_is "obsenv: $E2E_OBS may not run 'follow': no role in the policy allows it"
audit_has "decision=deny uid=$UID_OBS .*action=follow"
run asuser $E2E_MNT "$A" follow pkg00 nosuch
rc_is 2
err_is "obsenv: follow: unknown package 'nosuch' (the policy names 3; see 'obsenv status')"
run asuser $E2E_MNT "$A" freeze "night run"
run asuser $E2E_MNT "$A" follow
rc_is 6
run asuser $E2E_MNT "$A" thaw
[[ $(readlink "$F/env/current") == "$g" ]] || errs+=("a refused follow switched")

# A deploy branch rewritten on purpose upstream.
rewrite() {
	local w=$F/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$F/remotes/$1.git" "$w"
	git -C "$w" fetch -q origin && git -C "$w" reset -q --hard origin/deploy~1
	echo rewritten >>"$w/CHANGES"
	git -C "$w" add CHANGES
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "rewritten history"
	git -C "$w" push -q -f origin deploy
}

t "a rewritten deploy branch: the timer's pull refuses it, and so would its role with --accept-rewrite"
run asuser $E2E_MNT "$A" follow
old=$(fstore pkg02 refs/heads/deploy)
rewrite pkg02
forced=$(fhead pkg02)
run asuser $E2E_OWNER "$A" pull
rc_is 1
err_has "^obsenv: pkg02: FORCE-PUSHED: .*refusing to move \\(a maintainer may accept it: pull --accept-rewrite pkg02 --reason TEXT\\)$"
run asuser $E2E_OWNER "$A" pull --accept-rewrite pkg02 --reason "timer tries"
rc_is 3
err_is "obsenv: $E2E_OWNER may not accept a rewritten deploy branch: the owner account (the timer) never does; a maintainer must, by name"
audit_has "decision=deny uid=$UID_OWNER .*action=pull .*arg2=--accept-rewrite"
run asuser $E2E_OUT "$A" pull --accept-rewrite pkg02 --reason "may only pull"
rc_is 3
err_is "obsenv: $E2E_OUT may not accept a rewritten deploy branch: no role in the policy allows 'accept-rewrite'"
[[ $(fstore pkg02 refs/heads/deploy) == "$old" ]] || errs+=("the store's deploy branch moved")
[[ $(fcommit pkg02) == "$old" ]] || errs+=("pkg02 moved")

t "a maintainer accepts the rewrite by name, with a reason: both commits and the reason are recorded"
run asuser $E2E_MNT "$A" pull --accept-rewrite pkg02
rc_is 2
err_is "obsenv: pull: --accept-rewrite PKG and --reason TEXT go together (usage: obsenv pull [--dry-run] [--accept-rewrite PKG --reason TEXT] [PKG...])"
run asuser $E2E_MNT "$A" pull --accept-rewrite pkg02 --reason "squashed the night's fixes" pkg00
rc_is 2
err_is "obsenv: pull: --accept-rewrite pkg02: this pull does not fetch it"
run asuser $E2E_MNT "$A" pull --dry-run --accept-rewrite pkg02 --reason "squashed the night's fixes"
rc_is 0
err_has "^obsenv: warning: pkg02: REWRITE WOULD BE ACCEPTED: "
[[ $(fstore pkg02 refs/heads/deploy) == "$old" ]] || errs+=("a dry run moved the deploy branch")
run asuser $E2E_MNT "$A" pull --accept-rewrite pkg02 --reason "squashed the night's fixes"
rc_is 0
err_has "^obsenv: warning: pkg02: REWRITE ACCEPTED: deploy moves from ${old:0:10} to ${forced:0:10}, which does not descend from it \\(\"squashed the night's fixes\"\\)$"
[[ $(fstore pkg02 refs/heads/deploy) == "$forced" ]] || errs+=("the store's deploy branch did not move")
[[ $(fcommit pkg02) == "$forced" ]] || errs+=("pkg02 did not move to the rewritten head")
audit_has "$(rec allow "$UID_MNT" $E2E_MNT).*action=pull .*result=ok.*rewrite_accepted\\.pkg02=$old\\.\\.$forced"
audit_has "action=pull .*reason=\"squashed the night's fixes\""
# The old head stays reachable.
git -c safe.directory='*' --git-dir="$F/env/repos/pkg02.git" cat-file -e "$old^{commit}" || errs+=("the old head is gone")
run asuser $E2E_OWNER "$A" pull
rc_is 0

t "--accept-rewrite on a branch that was not rewritten is an ordinary pull, and says so"
fpush pkg00 "fix 3"
run asuser $E2E_MNT "$A" pull --accept-rewrite pkg00 --reason "just in case"
rc_is 0
out_has "^pkg00: --accept-rewrite: the deploy branch was not rewritten; pulled as usual$"
[[ $(fcommit pkg00) == "$(fhead pkg00)" ]] || errs+=("pkg00 did not move")
records | grep -q 'rewrite_accepted' && errs+=("an ordinary pull was recorded as an accepted rewrite")

# Later files use the alternate install with their own policies.
[[ -f $T/m/policy.yaml ]] && cp "$T/m/policy.yaml" "$ALT/etc/policy.yaml"
