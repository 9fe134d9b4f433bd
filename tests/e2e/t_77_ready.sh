# Rollback readiness a monitor can watch: status --check asks the question
# rollback would answer, on an environment of its own (the second install,
# whose policy these tests rewrite), broken one way at a time and repaired.
e2e_alt_install
R=$T/ready
install -d -m 0755 "$R" "$R/remotes"
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$R/env" "$R/owner"
for p in pkg00 pkg01 pkg02; do cp -a "$FX/remotes/$p.git" "$R/remotes/"; done
install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$R/owner/base.yaml"
# Another file's policy for the second install is put back at the end.
[[ -e $ALT/etc/policy.yaml ]] && cp "$ALT/etc/policy.yaml" "$R/alt-policy.orig"
cat >"$R/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $R/env
base_file: $R/owner/base.yaml
lock_timeout: 5
packages:
  pkg00: {remote: $R/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $R/remotes/pkg01.git, tags: "v*"}
  pkg02: {remote: $R/remotes/pkg02.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
  timer:       { users: [$E2E_OWNER], actions: [pull] }
YAML
cp "$R/policy.yaml" "$ALT/etc/policy.yaml"
A=$ALT/obsenv
READY="rollback ready: every package would go to its verified base"
rbase() { awk -v p="$1:" -v k="$2:" '$1 == p { f = 1 } f && $1 == k { print $2; exit }' "$R/owner/base.yaml"; }
check() { run asuser $E2E_OBS "$A" status --check; }
json() { run asuser $E2E_OBS "$A" status --json; }
# jq_is FILTER WANT: the status --json output, filtered.
jq_is() {
	local got
	got=$(jq -c "$1" <<<"$out" 2>&1)
	[[ $got == "$2" ]] || errs+=("json $1 is $got, expected $2")
}
# not_ready: status --check names exactly the problem lines given, and
# status --json agrees.
not_ready() {
	local n=$#
	rc_is 8
	[[ $out == "$(printf '%s\n' "$@")" ]] || errs+=("stdout is: $out"$'\n'"    expected: $(printf '%s|' "$@")")
	err_is "obsenv: status: $n problem$( ((n == 1)) || echo s): rollback is not ready"
	audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=status .*result=failed exit=8 error=\"status: $n problem"
	json
	rc_is 0
	jq_is '.rollback_ready' false
	jq_is '[.problems[].message]' "$(printf '%s\n' "$@" | jq -Rsc 'split("\n")[:-1]')"
}
run asuser $E2E_MNT "$A" init
[[ $rc == 0 ]] || errs+=("init: $err")

t "status --check: a fresh environment is ready, and says so"
check
rc_is 0
[[ $out == "$READY" ]] || errs+=("stdout is: $out")
[[ -z $err ]] || errs+=("stderr: $err")
audit_has "$(rec allow "$UID_OBS" $E2E_OBS).*action=status .*result=ok"
json
rc_is 0
jq_is '[.rollback_ready, .problems, .last_pull]' '[true,[],null]'
run asuser $E2E_OBS "$A" status
rc_is 0
out_has "^last pull: never$"
out_lacks "^warning"

t "the timer's pull leaves its record; status shows it"
run asuser $E2E_OWNER "$A" pull
rc_is 0
[[ $(grep -c . "$R/env/last-pull") == 3 ]] && grep -qx "result=ok" "$R/env/last-pull" &&
	grep -qx "failed=" "$R/env/last-pull" && grep -qxE "time=[0-9]{10}" "$R/env/last-pull" ||
	errs+=("last-pull: $(cat "$R/env/last-pull")")
[[ $(stat -c %U "$R/env/last-pull") == "$E2E_OWNER" ]] || errs+=("last-pull is not the owner's")
when=$(date -u -d "@$(sed -n 's/^time=//p' "$R/env/last-pull")" '+%Y-%m-%d %H:%M:%S UTC')
run asuser $E2E_OBS "$A" status
rc_is 0
out_has "^last pull: $when, ok$"
json
jq_is '[.last_pull.time, .last_pull.utc, .last_pull.result, .last_pull.failed]' \
	"[$(sed -n 's/^time=//p' "$R/env/last-pull"),\"$when\",\"ok\",[]]"
check
rc_is 0
[[ $out == "$READY" ]] || errs+=("stdout is: $out")

t "a base tree missing: not ready, named; init repairs it"
b2=$(rbase pkg02 commit)
rm -rf "$R/env/trees/pkg02/$b2"
check
not_ready "pkg02: the tree of base pin ${b2:0:10} is missing (run 'obsenv verify --repair'); rollback would have to rebuild it from the object store first, or leave the package where it is"
jq_is '[.problems[] | [.package, .problem]]' '[["pkg02","tree_missing"]]'
# The very question rollback answers: it names the same package, which
# it would rebuild from the object store first.
run asuser $E2E_OBS "$A" rollback --dry-run
rc_is 0
err_has "^obsenv: warning: pkg02: the base tree $b2 is missing; it would be rebuilt from the object store$"
[[ ! -e $R/env/trees/pkg02/$b2 ]] || errs+=("a dry run rebuilt the tree")
run asuser $E2E_MNT "$A" init
rc_is 0
check
rc_is 0

t "a base file edited by hand: not ready, with the pin rollback would use instead"
cp "$R/owner/base.yaml" "$R/base.orig"
other=$(git --git-dir="$R/remotes/pkg01.git" tag -l 'v*' | sort -V | tail -1)
oc=$(git --git-dir="$R/remotes/pkg01.git" rev-parse "$other^{commit}")
t1=$(rbase pkg01 tag) c1=$(rbase pkg01 commit)
pins0="$(rbase pkg00 tag) $(rbase pkg00 commit)" pins2="$(rbase pkg02 tag) $(rbase pkg02 commit)"
printf 'packages:\n  pkg00: {tag: %s, commit: %s}\n  pkg01: {tag: %s, commit: %s}\n  pkg02: {tag: %s, commit: %s}\n' \
	${pins0% *} ${pins0#* } "$other" "$oc" ${pins2% *} ${pins2#* } >"$R/owner/base.yaml"
check
not_ready "pkg01: the base file's pin $other ${oc:0:10} has not been verified: rollback would go to the last verified pin $t1 ${c1:0:10}"
jq_is '[.problems[] | [.package, .problem]]' '[["pkg01","unverified"]]'
cp "$R/base.orig" "$R/owner/base.yaml"
check
rc_is 0

t "a package added to the policy with no pin: the base file and the package are named"
sed -i "s|^  pkg02: .*|&\n  pkg03: {remote: $R/remotes/pkg00.git, tags: \"v*\"}|" "$ALT/etc/policy.yaml"
check
rc_is 8
out_has "^the base file cannot be used \(.*pkg03.*\): rollback would use the last verified pins$"
out_has "^pkg03: no verified base pin \(run 'obsenv init' or 'obsenv pin'\); rollback would leave it where it is$"
[[ $(wc -l <<<"$out") == 2 ]] || errs+=("stdout is: $out")
err_is "obsenv: status: 2 problems: rollback is not ready"
json
rc_is 0
jq_is '[.rollback_ready, [.problems[] | [.package, .problem]]]' '[false,[[null,"basefile"],["pkg03","no_pin"]]]'
# The text form's warning is in the JSON too, and the table says why it cannot tell.
run asuser $E2E_OBS "$A" status
rc_is 0
out_has "^warning: the base file cannot be used "
out_has "^pkg00 .* \\? +-$"
cp "$R/policy.yaml" "$ALT/etc/policy.yaml"
check
rc_is 0

t "a pinned tag moved in the store: not ready; rollback would still go to the verified commit"
t0=$(rbase pkg00 tag) c0=$(rbase pkg00 commit)
tagref=$(awk '$1 == "tagref" { print $2 }' "$R/env/pins/pkg00")
dep=$(git --git-dir="$R/remotes/pkg00.git" rev-parse deploy)
asuser $E2E_OWNER git --git-dir="$R/env/repos/pkg00.git" update-ref "refs/tags/$t0" "$dep"
check
not_ready "pkg00: tag $t0 moved since it was pinned ($tagref..$dep): rollback would go to the pinned commit ${c0:0:10}; a maintainer should re-pin it"
jq_is '[.problems[] | [.package, .problem]]' '[["pkg00","tag_moved"]]'
run asuser $E2E_OBS "$A" rollback --dry-run
rc_is 0
err_has "^obsenv: warning: pkg00: TAG MOVED: $t0 pointed to $tagref when it was pinned and now points to $dep; "
asuser $E2E_OWNER git --git-dir="$R/env/repos/pkg00.git" update-ref "refs/tags/$t0" "$tagref"
check
rc_is 0

t "frozen: not ready until thawed"
run asuser $E2E_MNT "$A" freeze "ToO follow-up"
rc_is 0
check
not_ready "the environment is frozen since $(date -u '+%Y-%m-%d %H:%M:%S' -d "@$(sed -n 's/^since //p' "$R/env/frozen")") UTC by $E2E_MNT: \"ToO follow-up\""
jq_is '[.problems[] | [.package, .problem]]' '[[null,"frozen"]]'
run asuser $E2E_MNT "$A" thaw
rc_is 0
check
rc_is 0

t "a failed pull: each failed package is named until a pull succeeds"
sed -i "s|$R/remotes/pkg02.git|$R/remotes/missing.git|" "$ALT/etc/policy.yaml"
run asuser $E2E_OWNER "$A" pull
rc_is 1
err_has "^obsenv: pull: 1 of 3 packages failed: pkg02$"
cp "$R/policy.yaml" "$ALT/etc/policy.yaml"
grep -qx "result=partial" "$R/env/last-pull" && grep -qx "failed=pkg02" "$R/env/last-pull" ||
	errs+=("last-pull: $(cat "$R/env/last-pull")")
check
not_ready "pkg02: the last pull ($(date -u '+%Y-%m-%d %H:%M:%S' -d "@$(sed -n 's/^time=//p' "$R/env/last-pull")") UTC) failed for it"
jq_is '[.last_pull.result, .last_pull.failed, [.problems[] | [.package, .problem]]]' '["partial",["pkg02"],[["pkg02","pull_failed"]]]'
run asuser $E2E_OBS "$A" status
out_has "^last pull: [0-9-]+ [0-9:]+ UTC, partial: failed pkg02$"
run asuser $E2E_OWNER "$A" pull
rc_is 0
check
rc_is 0

t "a stale pull: older than the policy's pull_stale_after"
sed -i "s|^lock_timeout: 5$|&\npull_stale_after: 60|" "$ALT/etc/policy.yaml"
old=$(($(date +%s) - 120))
printf 'time=%s\nresult=ok\nfailed=\n' "$old" >"$R/env/last-pull"
check
not_ready "the last pull was at $(date -u '+%Y-%m-%d %H:%M:%S' -d "@$old") UTC, more than 60 seconds ago (pull_stale_after): is the timer running?"
jq_is '[.last_pull.time, [.problems[] | [.package, .problem]]]' "[$old,[[null,\"pull_stale\"]]]"
run asuser $E2E_OWNER "$A" pull
rc_is 0
check
rc_is 0
cp "$R/policy.yaml" "$ALT/etc/policy.yaml"

t "a damaged last-pull record: named by status, never shown raw"
printf 'time=1\nresult=ok\nfailed=\n\e]0;pwned\a=1\n' >"$R/env/last-pull"
check
not_ready "the record of the last pull is damaged: last-pull: line 4: bad or repeated field '?'"
jq_is '[.last_pull.time, .last_pull.result, .last_pull.error]' '[null,null,"last-pull: line 4: bad or repeated field '"'?'"'"]'
run asuser $E2E_OBS "$A" status
rc_is 0
out_has "^last pull: unknown \(last-pull: line 4: bad or repeated field '\?'\)$"
[[ $out != *$'\e'* ]] || errs+=("an escape reached the terminal")
run asuser $E2E_OWNER "$A" pull
rc_is 0
check
rc_is 0

t "status --verify names each drifted file and exits 8; unchanged trees exit 0"
run asuser $E2E_OBS "$A" status --verify
rc_is 0
tree=$(readlink -f "$R/env/pkg01")
f=$(cd "$tree" && find . -name '*.py' | sort | head -1)
f=${f#./}
cp -p "$tree/$f" "$R/drift.orig"
chmod u+w "$tree/$f" && echo "# local edit" >>"$tree/$f"
run asuser $E2E_OBS "$A" status --verify
rc_is 8
out_has "^pkg01 .* 1 file$"
out_has "^pkg00 .* no$"
c=${tree##*/}
[[ $(sed -n '/^pkg01: 1 file differs from commit /,$p' <<<"$out") == "pkg01: 1 file differs from commit ${c:0:10}:"$'\n'"  $f" ]] ||
	errs+=("the drifted file is not named: $out")
err_is "obsenv: status: 1 package drifted from its commit: pkg01"
audit_has "action=status .*result=failed exit=8 error=\"status: 1 package drifted"
run asuser $E2E_OBS "$A" status --verify --json
rc_is 8
jq_is '[.packages[] | select(.name == "pkg01") | .drift, .drifted]' "[1,[\"$f\"]]"
jq_is '[.rollback_ready, [.problems[] | [.package, .problem]]]' '[false,[["pkg01","drift"]]]'
for i in $(seq -w 1 25); do echo x >"$tree/zz-new-$i"; done
run asuser $E2E_OBS "$A" status --verify
rc_is 8
out_has "^pkg01: 26 files differ from commit "
[[ $(grep -c '^  [^ ]' <<<"$out") == 21 ]] || errs+=("not 20 names and a remainder: $out")
out_has "^  and 6 more$"
rm -f "$tree"/zz-new-*
cat "$R/drift.orig" >"$tree/$f" && chmod u-w "$tree/$f" && touch -r "$R/drift.orig" "$tree/$f"
run asuser $E2E_OBS "$A" status --verify
rc_is 0
out_lacks "differ"
run asuser $E2E_OBS "$A" status --check --verify
rc_is 0
[[ $out == "$READY" ]] || errs+=("stdout is: $out")
[[ -e $R/alt-policy.orig ]] && cp "$R/alt-policy.orig" "$ALT/etc/policy.yaml"
