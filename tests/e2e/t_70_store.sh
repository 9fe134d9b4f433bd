# The environment store: init, status, rollback, revert, as real users.
base_of() { awk -v p="$1:" '$1 == p { f = 1 } f && $1 == "commit:" { print $2; exit }' "$T/base_environment.yaml"; }
tag_of() { awk -v p="$1:" '$1 == p { f = 1 } f && $1 == "tag:" { print $2; exit }' "$T/base_environment.yaml"; }
deploy_of() { git --git-dir="$FX/remotes/$1.git" rev-parse deploy; }
gen_of() { readlink "$T/env/current"; }
commit_at() { basename "$(readlink -f "$T/env/$1")"; }
sudo_obs() { runuser -u $E2E_OBS -- sudo -n -u $E2E_OWNER "$OBSENV" "$@"; }
sudo_mnt() { runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" "$@"; }

t "status before init says what to do"
run asuser $E2E_OBS "$OBSENV" status
rc_is 1
err_is "obsenv: $T/env is not initialized: run 'obsenv init'"

t "observers may not init"
run asuser $E2E_OBS "$OBSENV" init
rc_is 3
err_is "obsenv: $E2E_OBS may not run 'init': no role in the policy allows it"
audit_has "$(rec deny "$UID_OBS" $E2E_OBS).*action=init .*result=failed exit=3"
[[ -e $T/env/current ]] && errs+=("a denied init changed the environment")

t "init by a maintainer through sudo"
run runuser -u $E2E_MNT -- sudo -n -u $E2E_OWNER "$OBSENV" init
rc_is 0
out_has "^pkg00: fetching $FX/remotes/pkg00.git$"
out_has "^generation 1: 3 packages on their deploy branch$"
[[ $(gen_of) == generations/1 ]] || errs+=("current is $(gen_of)")
for p in pkg00 pkg01 pkg02; do
	[[ $(readlink "$T/env/$p") == "current/$p" ]] || errs+=("$p is not the stable link")
	[[ $(commit_at $p) == $(deploy_of $p) ]] || errs+=("$p is not on its deploy head")
	[[ -d $T/env/trees/$p/$(base_of $p) ]] || errs+=("$p: base tree not materialized")
done
[[ -z $(find "$T/env/trees" -mindepth 2 -perm -u+w ! -type l -path '*/trees/*/*/*' | head -1) ]] ||
	errs+=("a tree is writable: $(find "$T/env/trees" -mindepth 3 -perm -u+w ! -type l | head -1)")
[[ $(stat -c %U "$T/env/current") == "$E2E_OWNER" ]] || errs+=("not made by the owner")
audit_has "$(rec allow "$UID_OWNER" $E2E_OWNER)sudo_user=$E2E_MNT sudo_uid=$UID_MNT .*action=init as=$E2E_OWNER role=maintainers .*result=ok pkg.pkg00=none\\.\\.$(deploy_of pkg00) pkg.pkg01=none"

t "init again adds nothing"
run sudo_mnt init
rc_is 0
out_has "^already initialized: generation 1 is current; nothing to add$"
[[ $(gen_of) == generations/1 ]] || errs+=("a new generation was made")

t "status as an observer, readable at a glance"
run asuser $E2E_OBS "$OBSENV" status
rc_is 0
out_has "^$T/env: generation 1, made [0-9-]+ [0-9:]+ UTC by $E2E_OWNER via sudo by $E2E_MNT, init$"
out_has "^pkg00 +$(deploy_of pkg00 | cut -c1-10) +v[0-9.]+-3-g[0-9a-f]{7} +deploy \\(deploy\\) +no +-$"
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=status as=$E2E_OWNER role=observers .*result=ok"

t "status --json for monitoring"
run asuser $E2E_OBS "$OBSENV" status --json
rc_is 0
[[ $(jq -r '.generation, (.packages | length), .packages[0].name, .packages[0].follows_deploy, .packages[0].at_base, .sudo_user' <<<"$out" | tr '\n' ' ') == "1 3 pkg00 true false $E2E_MNT " ]] ||
	errs+=("json: $out")
[[ $(jq -r .packages[1].commit <<<"$out") == $(deploy_of pkg01) ]] || errs+=("json commit")

t "plain git works in the stable path for the owner"
run runuser -u $E2E_OWNER -- git -C "$T/env/pkg00" log -1 --format=%H
rc_is 0
[[ $out == "$(deploy_of pkg00)" ]] || errs+=("git log: $out")
run runuser -u $E2E_OWNER -- git -C "$T/env/pkg00" status --porcelain
rc_is 0
[[ -z $out ]] || errs+=("git status not clean: $out")

t "other users' git, trusting the tree with safe.directory"
run asuser $E2E_OBS git -c safe.directory="$(readlink -f "$T/env/pkg01")" -C "$T/env/pkg01" describe --tags
rc_is 0
out_has "^v[0-9.]+-3-g[0-9a-f]+$"

t "rollback --dry-run changes nothing"
run sudo_obs rollback --dry-run
rc_is 0
out_has "^pkg00: [0-9a-f]{10} \\(v.*\\) -> $(base_of pkg00 | cut -c1-10) \\($(tag_of pkg00)\\)$"
out_has "^dry run: 3 packages would change; nothing changed$"
[[ $(gen_of) == generations/1 ]] || errs+=("dry run switched")

t "rollback by an observer through sudo"
run sudo_obs rollback
rc_is 0
out_has "^pkg01: $(deploy_of pkg01 | cut -c1-10) \\(v[^)]*\\) -> $(base_of pkg01 | cut -c1-10) \\($(tag_of pkg01)\\)$"
out_has "^rolled back 3 packages: generation 2 is current$"
[[ $(gen_of) == generations/2 ]] || errs+=("current is $(gen_of)")
for p in pkg00 pkg01 pkg02; do
	[[ $(commit_at $p) == $(base_of $p) ]] || errs+=("$p is not on its base pin")
done
audit_has "sudo_user=$E2E_OBS .*action=rollback .*role=observers .*result=ok pkg.pkg00=$(deploy_of pkg00)\\.\\.$(base_of pkg00) pkg.pkg01="
grep -q "^user $E2E_OWNER$" "$T/env/generations/2/record" && grep -q "^sudo_user $E2E_OBS$" "$T/env/generations/2/record" ||
	errs+=("generation record: $(cat "$T/env/generations/2/record")")

t "rollback again: nothing changes, and it says so"
run sudo_obs rollback
rc_is 0
out_is() { [[ $out == "$1" ]] || errs+=("stdout is: $out"); }
out_is "already on the base environment (generation 2): nothing changed"
[[ $(gen_of) == generations/2 ]] || errs+=("a new generation was made")

t "status after rollback"
run asuser $E2E_OBS "$OBSENV" status --verify
rc_is 0
out_has "^pkg02 +$(base_of pkg02 | cut -c1-10) +$(tag_of pkg02) +base pin +yes +no$"

t "outsiders may not rollback; observers may not revert"
run asuser $E2E_OUT "$OBSENV" rollback
rc_is 3
audit_has "$(rec deny "$UID_OUT" $E2E_OUT).*action=rollback .*exit=3"
run sudo_obs revert
rc_is 3
err_is "obsenv: $E2E_OBS may not run 'revert': no role in the policy allows it"

t "revert to the deploy heads"
run sudo_mnt revert
rc_is 0
out_has "^reverted to generation 1: generation 3 is current \\(3 packages changed\\)$"
[[ $(commit_at pkg00) == $(deploy_of pkg00) ]] || errs+=("not back on deploy")
run sudo_mnt revert 99
rc_is 1
err_is "obsenv: generation 99 is not kept (keep_generations is 5)"
run sudo_mnt revert -- -1
rc_is 2

t "drift is found by status --verify"
f=$(find "$(readlink -f "$T/env/pkg00")" -name '*.py' | head -1)
cp -p "$f" "$T/drift.orig"
chmod u+w "$f" && echo "# local edit" >>"$f"
run asuser $E2E_OBS "$OBSENV" status --verify
rc_is 0
out_has "^pkg00 .* 1 files$"
out_has "^pkg01 .* no$"
cat "$T/drift.orig" >"$f" && chmod u-w "$f" && touch -r "$T/drift.orig" "$f"

t "20 concurrent rollbacks: all exit cleanly, one switch"
before=$(ls "$T/env/generations" | grep -c '^[0-9]')
pids=()
for i in $(seq 20); do
	asuser $E2E_MNT "$OBSENV" rollback >"$T/conc.$i" 2>&1 &
	pids+=($!)
done
fails=0
for j in "${pids[@]}"; do wait "$j" || fails=$((fails + 1)); done
((fails == 0)) || errs+=("$fails of 20 concurrent rollbacks failed: $(cat "$T"/conc.* | grep obsenv: | head -3)")
[[ $(cat "$T"/conc.* | grep -c '^rolled back 3 packages') == 1 ]] || errs+=("not exactly one switch")
[[ $(cat "$T"/conc.* | grep -c '^already on the base environment') == 19 ]] || errs+=("others did not see the new state")
for p in pkg00 pkg01 pkg02; do [[ $(commit_at $p) == $(base_of $p) ]] || errs+=("$p not at base"); done
rm -f "$T"/conc.*

t "a busy environment: the second invocation waits, then names the holder"
# flock -o: the lock is held by flock itself, not by the command it runs.
setsid -f runuser -u $E2E_OWNER -- flock -o -x "$T/env/.lock" sleep 6
sleep 0.5
run asuser $E2E_MNT "$OBSENV" revert
rc_is 1
err_has "^obsenv: the environment is busy: locked by .*\\(pid [0-9]+, since [0-9]+\\); gave up after 3 s$"
pkill -9 -f "flock -o -x $T/env/.lock"

t "a holder killed with SIGKILL leaves no lock behind"
setsid -f runuser -u $E2E_OWNER -- flock -o -x "$T/env/.lock" sleep 60
sleep 0.3
pkill -9 -f "flock -o -x $T/env/.lock"
sleep 0.2
run asuser $E2E_MNT "$OBSENV" revert
rc_is 0
[[ -e $T/env/.lock ]] || errs+=("the lock file is gone (it may stay)")

t "git hygiene: the store repository's own config is never honoured"
cfg=$T/env/repos/pkg00.git/config
cp "$cfg" "$T/config.orig"
printf '[url "/nonexistent/"]\n\tinsteadOf = /\n[http]\n\tproxy = http://127.0.0.1:9\n[core]\n\tsshCommand = touch %s/pwned\n[include]\n\tpath = /etc/shadow\n[remote "origin"]\n\turl = /nonexistent\n' "$T" >>"$cfg"
run sudo_mnt init
rc_is 0
out_has "^already initialized"
not_pwned
cp "$T/config.orig" "$cfg"
