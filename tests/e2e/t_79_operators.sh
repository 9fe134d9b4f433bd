# What an operator reads: status, history, diff and the messages of the
# changes, on an environment of its own at the second install (whose
# policy is put back as it was at the end).
e2e_alt_install
U=$T/ux
[[ -f $ALT/etc/policy.yaml ]] && cp "$ALT/etc/policy.yaml" "$T/alt-policy.before"
install -d -m 0755 "$U" "$U/remotes"
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$U/env"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$U/remotes/"; done
install -d -m 0755 -o $E2E_OWNER "$U/owner"
install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$U/owner/base.yaml"
cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $U/env
base_file: $U/owner/base.yaml
lock_timeout: 5
keep_generations: 4
packages:
  pkg00: {remote: $U/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $U/remotes/pkg01.git, tags: "v*"}
  pkg02: {remote: $U/remotes/pkg02.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback, history, diff] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
YAML
A=$ALT/obsenv
ux() { run asuser $E2E_MNT "$A" "$@"; }
uxobs() { run asuser $E2E_OBS "$A" "$@"; }
uremote() { git --git-dir="$U/remotes/$1.git" rev-parse "$2"; }
# ubase PKG tag|commit: the pin in the base file, in either of its layouts.
ubase() {
	awk -v p="$1:" -v k="$2:" '{ for (i = 1; i <= NF; i++) { t = $i; sub(/^[{]/, "", t)
		if (t == p) f = 1; else if (f && t == k) { v = $(i + 1); gsub(/[",{}]/, "", v); print v; exit } } }' "$U/owner/base.yaml"
}
# The column of the table whose header is $1, in the status output.
col() { awk -v h="$1" '/^PACKAGE/ { i = index($0, h); next } i && /^pkg/ { print substr($0, i) }' <<<"$out"; }

t "operators' environment: init"
ux init
rc_is 0
out_has "^generation 1: 3 packages on their deploy branch$"

t "status: each package's base pin beside what it runs; deploy is not named twice"
uxobs status
rc_is 0
out_has "^pkg00 +$(uremote pkg00 deploy | cut -c1-10) +v[0-9.]+-3-g[0-9a-f]{7} +deploy +$(ubase pkg00 tag) \\($(ubase pkg00 commit | cut -c1-10)\\) +no +-$"
out_lacks "deploy \\(deploy\\)"

t "status after a new pin: FOLLOWS says the earlier pin, and agrees with AT BASE"
uxobs rollback
rc_is 0
old=$(ubase pkg00 tag) oldc=$(ubase pkg00 commit)
new=$(git --git-dir="$U/remotes/pkg00.git" tag -l 'v*' | sort -V | tail -1)
ux pin pkg00 "$new"
rc_is 0
uxobs status
rc_is 0
out_has "^pkg00 +${oldc:0:10} +$old +earlier base pin $old +$new \\($(uremote pkg00 "$new^{commit}" | cut -c1-10)\\) +no +-$"
out_has "^pkg01 +[0-9a-f]{10} +v[0-9.]+ +base pin +v[0-9.]+ \\([0-9a-f]{10}\\) +yes +-$"
out_lacks " base pin +[^ ]+ \\([0-9a-f]{10}\\) +no "
uxobs status --json
rc_is 0
[[ $(jq -r '.packages[0] | .follows, .at_base, .base.tag' <<<"$out" | tr '\n' '|') == "earlier base pin $old|false|$new|" ]] ||
	errs+=("json: $out")

t "status: a long tag widens its columns instead of breaking them"
long=v9.9.9-a-release-candidate-with-a-rather-long-name
git --git-dir="$U/remotes/pkg01.git" tag "$long" deploy~1
ux pull pkg01
rc_is 0
ux checkout pkg01 "$long"
rc_is 0
uxobs status
rc_is 0
out_has "^pkg01 +[0-9a-f]{10} +$long +tag $long +v"
for h in COMMIT VERSION FOLLOWS "BASE PIN" "AT BASE" DRIFT; do
	c=$(col "$h")
	[[ $(grep -c '^[^ ]' <<<"$c") == 3 ]] || errs+=("column $h is not aligned:"$'\n'"$out")
done

t "status: a base file that does not match the policy warns in text and in --json alike"
cp "$U/owner/base.yaml" "$T/ux-base.yaml"
sed -i '/pkg02/,$d' "$U/owner/base.yaml"
uxobs status
rc_is 0
out_has "^warning: the base file cannot be used \\(.*\\): rollback would use the last verified pins$"
w=$(sed -n 's/^warning: //p' <<<"$out")
uxobs status --json
rc_is 0
[[ $(jq -r '.warnings[]' <<<"$out") == "$w" ]] || errs+=("json warnings: $(jq -c .warnings <<<"$out") / text: $w")
[[ $(jq -r '.problems[0].problem' <<<"$out") == basefile ]] || errs+=("json problems: $out")
cp "$T/ux-base.yaml" "$U/owner/base.yaml"
chown $E2E_OWNER "$U/owner/base.yaml"

t "history: times to the second, a commit with its version name, revert with its target"
c=$(uremote pkg02 deploy~1)
ux checkout pkg02 "$c"
rc_is 0
ux revert 3
rc_is 0
out_has "^reverted to generation 3: generation 5 is current"
uxobs history
rc_is 0
out_has "^generation 5  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC  $E2E_MNT  revert to generation 3  \\(current\\)$"
out_has "^generation 4  .*  checkout$"
out_has "^    pkg02 +[0-9a-f]{10} -> ${c:0:10} \\(commit[^,]*, v[0-9.]+-2-g[0-9a-f]{7}\\)$"
uxobs history -n 1 --json
[[ $(jq -r '.[0].action, .[0].changes[0].package, .[0].changes[0].version' <<<"$out" | tr '\n' '|') == "revert-to-3|pkg02|$(ubase pkg02 tag)|" ]] ||
	errs+=("json: $out")
uxobs status
out_has "^$U/env: generation 5, made .* by $E2E_MNT, revert to generation 3$"

t "history: the oldest kept generation shows what it had, not '? ->'"
uxobs history
rc_is 0
out_has "^generation 2  .*  rollback$"
out_has "^    \\(generation 1 and earlier are no longer kept; as recorded:\\)$"
out_has "^    pkg00 +$(uremote pkg00 "$old^{commit}" | cut -c1-10) \\(base $old\\)$"
out_lacks "\\? ->"
[[ ! -e $U/env/generations/1 ]] || errs+=("generation 1 was not trimmed: $(ls "$U/env/generations")")
uxobs history --json
[[ $(jq -r '.[-1].generation, .[-1].earlier_kept, (.[-1].changes | length)' <<<"$out" | tr '\n' ' ') == "2 false 3 " ]] ||
	errs+=("json: $out")

t "pin --import: a # comment after a value is not part of it, as in the shell"
H_MNT=$(getent passwd $E2E_MNT | cut -d: -f6)
f=$H_MNT/ux-cycle.env
t1=$(ubase pkg01 tag)
printf 'pkg01=%s # the summit runs this\npkg02=deploy\t# follows the head\n' "${t1#v}" >"$f"
chown $E2E_MNT "$f"
ux pin --import "$f"
rc_is 0
grep -q "pkg02: {commit: \"$(uremote pkg02 deploy)\"}" "$U/owner/base.yaml" || errs+=("pkg02: $(grep pkg02 "$U/owner/base.yaml")")
[[ $(ubase pkg01 tag) == "$t1" ]] || errs+=("pkg01: $(grep pkg01 "$U/owner/base.yaml")")

t "pin --import: every problem on its own line, with its line number; nothing pinned; audited"
sum=$(sha256sum <"$U/owner/base.yaml")
printf 'pkg01=9.9.9\npkg00=8.8.8 # no such release\n' >"$f"
ux pin --import "$f"
rc_is 1
[[ $err == "$f:1: pkg01=9.9.9: no such tag"*$'\n'"$f:2: pkg00=8.8.8: no such tag"*$'\n'"obsenv: pin --import: nothing pinned: 2 problems (above)" ]] ||
	errs+=("stderr: $err")
audit_has "action=pin .*result=failed .*problems=\"$f:1: pkg01=9\\.9\\.9: no such tag.*;$f:2: pkg00=8\\.8\\.8: .*exit=1 error=\"pin --import: nothing pinned: 2 problems"
printf 'pkg01=1 2\npkg02="open\nok=1\n' >"$f"
ux pin --import "$f"
rc_is 1
[[ $err == "$f:1:7: pkg01: not one value"*$'\n'"$f:2:7: pkg02: not one value"*$'\n'"obsenv: pin --import: nothing pinned: 2 problems (above)" ]] ||
	errs+=("stderr: $err")
[[ $(sha256sum <"$U/owner/base.yaml") == "$sum" ]] || errs+=("the base file changed")
rm -f "$f"

t "diff PKG: the commits of one package only; a misspelt one is refused with a suggestion"
uxobs diff pkg01
rc_is 0
out_has "^base -> generation 5, pkg01$"
out_has "^pkg01: [0-9a-f]{10} \\(v[^)]*\\) -> [0-9a-f]{10} \\($long\\)$"
out_has "^ +\\+ [0-9a-f]{10} "
out_lacks "^pkg0[02]"
out_lacks "unchanged"
uxobs diff 5 4 pkg00
rc_is 0
out_has "^generation 5 -> generation 4, pkg00$"
out_has "^pkg00: unchanged$"
[[ $(wc -l <<<"$out") == 2 ]] || errs+=("more than pkg00: $out")
uxobs diff pgk01
rc_is 2
err_is "obsenv: diff: unknown package 'pgk01': did you mean 'pkg01'? (see 'obsenv status')"
audit_has "action=diff .*result=failed exit=2 error=\"diff: unknown package 'pgk01'"
uxobs diff pkg01 pkg02
rc_is 2
err_is "obsenv: diff: one package at a time ('pkg01' and 'pkg02')"
uxobs diff 1 2 3
rc_is 2
err_is "obsenv: diff: at most two generations (usage: obsenv diff [GEN [GEN]] [PKG])"

t "init --dry-run: says what init would do, offline, and changes nothing"
g=$(readlink "$U/env/current")
c=$(basename "$(readlink -f "$U/env/pkg01")")
rm -rf "$U/env/trees/pkg01/$c"
ux init --dry-run
rc_is 0
out_has "^pkg01: the tree of ${c:0:12} is missing; it would be made again$"
out_has "^dry run: generation ${g#generations/} is current; 1 missing tree would be made again; nothing changed$"
out_lacks "fetching"
[[ ! -e $U/env/trees/pkg01/$c ]] || errs+=("a dry run made the tree")
[[ $(readlink "$U/env/current") == "$g" ]] || errs+=("a dry run switched")
audit_has "action=init .*arg2=--dry-run.* result=ok"
ux init
rc_is 0
out_has "^pkg01: the tree of ${c:0:12} was missing; made again$"
out_has "^already initialized: generation ${g#generations/} is current; 1 missing tree made again$"
[[ -f $U/env/trees/pkg01/$c/.git ]] || errs+=("the tree of the current generation was not made again")
ux init --dry-run
rc_is 0
out_has "^dry run: already initialized: generation ${g#generations/} is current; nothing to add$"

t "a package removed from the policy leaves no dangling link; its store stays; init adds it back"
cp "$ALT/etc/policy.yaml" "$T/ux-policy.yaml"
cp "$U/owner/base.yaml" "$T/ux-base.yaml"
sed -i '/pkg02:/d' "$ALT/etc/policy.yaml"
sed -i '/pkg02:/,$d' "$U/owner/base.yaml"
uxobs rollback
rc_is 0
[[ ! -L $U/env/pkg02 ]] || errs+=("the link of the removed package stays: $(ls -l "$U/env/pkg02")")
[[ -L $U/env/pkg00 && -e $U/env/pkg00 ]] || errs+=("the link of pkg00 went")
[[ -d $U/env/repos/pkg02.git ]] || errs+=("the removed package's store went")

t "gc: a dropped package's store goes once no kept generation names it; a dry run and a freeze change nothing"
ux gc --dry-run
rc_is 0
out_has "^pkg02: kept: generation [0-9]+ still names it; it can go once that generation falls out of keep_generations$"
out_has "^dry run: 0 packages would be removed; nothing changed$"
# keep_generations is 4: four switches without pkg02 leave none that names it.
for i in 1 2; do
	ux checkout pkg00 deploy
	rc_is 0
	uxobs rollback
	rc_is 0
done
ux gc --dry-run
rc_is 0
out_has "^pkg02: would be removed: its store, trees and verified pin \(the policy no longer names it\)$"
[[ -d $U/env/repos/pkg02.git && -d $U/env/trees/pkg02 ]] || errs+=("a dry run removed pkg02's store")
ux freeze "gc test"
ux gc
rc_is 6
[[ -d $U/env/repos/pkg02.git ]] || errs+=("gc removed a store during a freeze")
ux thaw
audit_has "action=gc .*result=failed"
ux gc
rc_is 0
out_has "^pkg02: removed its store, trees and verified pin \(the policy no longer names it\)$"
out_has "^1 package removed, 0 kept$"
for d in repos/pkg02.git trees/pkg02 pins/pkg02; do
	[[ ! -e $U/env/$d ]] || errs+=("$d stayed after gc")
done
[[ -d $U/env/repos/pkg00.git && -L $U/env/pkg00 && -e $U/env/pkg00/ ]] || errs+=("gc touched a package of the policy")
[[ -z $(find "$U/env" -maxdepth 2 -name '.tmp-*') ]] || errs+=("gc left $(find "$U/env" -maxdepth 2 -name '.tmp-*')")
audit_has "action=gc .*result=ok.* removed\\.pkg02=\"repos trees pins\""
ux gc
rc_is 0
out_has "^nothing to remove: the store holds no package the policy dropped$"
run asuser $E2E_OBS "$A" gc
rc_is 3
cp "$T/ux-policy.yaml" "$ALT/etc/policy.yaml"
cp "$T/ux-base.yaml" "$U/owner/base.yaml"
chown $E2E_OWNER "$U/owner/base.yaml"
ux init --dry-run
rc_is 0
out_has "^pkg02: would be fetched from $U/remotes/pkg02.git and added, on its deploy branch$"
out_has "^dry run: would add 1 package to generation [0-9]+; nothing changed$"
[[ ! -L $U/env/pkg02 ]] || errs+=("a dry run made the link")
ux init
rc_is 0
out_has "^generation [0-9]+: 1 package added, on its deploy branch$"
[[ -L $U/env/pkg02 && -e $U/env/pkg02 ]] || errs+=("the link of pkg02 is not back")

t "freeze --until: shown by status; ends by itself, and the next change records that it ended"
ux freeze --until +4s "night of the eclipse"
rc_is 0
out_has "^frozen by $E2E_MNT until [0-9-]+ [0-9:]+ UTC: \"night of the eclipse\"$"
audit_has "action=freeze .*result=ok reason=\"night of the eclipse\" until=\"[0-9-]+ [0-9:]+ UTC\""
uxobs status
out_has "^FROZEN since [0-9-]+ [0-9:]+ UTC by $E2E_MNT until [0-9-]+ [0-9:]+ UTC: \"night of the eclipse\" \\(only rollback is allowed\\)$"
uxobs status --json
[[ $(jq -r '.frozen.until - .frozen.since' <<<"$out") == [34] ]] || errs+=("json until: $(jq -c .frozen <<<"$out")")
ux checkout pkg00 deploy
rc_is 6
err_has "^obsenv: the environment is frozen since .* by $E2E_MNT until [0-9-]+ [0-9:]+ UTC: \"night of the eclipse\"; only rollback is allowed until then or 'obsenv thaw'$"
sleep 5
uxobs status --json
[[ $(jq -r .frozen <<<"$out") == null ]] || errs+=("still frozen after its end: $(jq -c .frozen <<<"$out")")
# The next pull records it, as the timer's does every 30 s, even with
# nothing new to fetch.
ux pull
rc_is 0
audit_has "action=pull .*result=ok.* freeze_ended=\"the freeze by $E2E_MNT until [0-9-]+ [0-9:]+ UTC .*night of the eclipse.* ended by itself\""
[[ ! -e $U/env/frozen ]] || errs+=("the ended freeze's file stays")
ux checkout pkg00 deploy
rc_is 0
audit_count 1 "freeze_ended="

t "freeze --until: a time that is not one, is past, or is too far is refused in one line, audited"
for v in yesterday +0m 2020-01-01T00:00Z +400d "2026-13-01 00:00" +5x; do
	ux freeze --until "$v" "bad"
	rc_is 2
	err_is "obsenv: freeze: --until needs a time within the next year, as +90m, +12h, +2d or 2026-12-05T06:00Z (UTC), not '$v'"
	audit_has "action=freeze .*result=failed .*exit=2 error=\"freeze: --until needs a time"
done
ux freeze --until "" "bad"
rc_is 2
[[ ! -e $U/env/frozen ]] || errs+=("a refused freeze froze")
ux freeze --dry-run --until "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%MZ)" "later"
rc_is 0
out_has "^dry run: would freeze for \"later\" until [0-9-]+ [0-9:]+ UTC; nothing changed$"

# (more operator tests above this line)
[[ -f $T/alt-policy.before ]] && cp "$T/alt-policy.before" "$ALT/etc/policy.yaml"
