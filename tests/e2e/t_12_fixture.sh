# The project's own bench tools: make-fixture, baseline-rollback, floor.
MF=$SRC/bench/make-fixture
BR=$SRC/bench/baseline-rollback
F12=$T/fixture12
mkdir -p "$F12"
small=(--files 40 --commits 14 --tags 6)
# refs_of REPO: every ref with the object it names, tag objects included.
refs_of() { git --git-dir="$1" for-each-ref --format='%(refname) %(objectname) %(*objectname)'; }
base_tag() { awk -v p="$2:" '$1 == p { f = 1 } f && $1 == "tag:" { print $2; exit }' "$1/base_environment.yaml"; }
base_commit() { awk -v p="$2:" '$1 == p { f = 1 } f && $1 == "commit:" { print $2; exit }' "$1/base_environment.yaml"; }

t "make-fixture: --help prints the usage; bad arguments are refused with it"
run "$MF" --help
rc_is 0
out_has "^usage: make-fixture DIR \[--packages N\] \[--files F\] \[--commits C\] \[--tags T\]"
run "$MF" -h
rc_is 0
for bad in "--bogus 1" "--packages" "--files many" "--tags -3" "--commits 4 --tags 3"; do
	# shellcheck disable=SC2086
	run "$MF" "$F12/bad" $bad
	rc_is 2
	err_has "^usage: make-fixture DIR"
	[[ -e $F12/bad ]] && errs+=("'$bad' made the directory")
done
run "$MF"
rc_is 2
mkdir "$F12/exists"
run "$MF" "$F12/exists" "${small[@]}"
rc_is 1
err_has "already exists"
[[ -z $(ls -A "$F12/exists") ]] || errs+=("an existing directory was written to")

t "make-fixture: the same arguments give the same commit ids; a package does not depend on --packages"
run "$MF" "$F12/a" --packages 2 "${small[@]}"
rc_is 0
run env HOME="$F12" GIT_AUTHOR_NAME=someone-else "$MF" "$F12/b" --packages 2 "${small[@]}"
rc_is 0
run "$MF" "$F12/c" --packages 1 "${small[@]}"
rc_is 0
for p in pkg00 pkg01; do
	[[ -n $(refs_of "$F12/a/remotes/$p.git") ]] || errs+=("$p has no refs")
	[[ $(refs_of "$F12/a/remotes/$p.git") == "$(refs_of "$F12/b/remotes/$p.git")" ]] || errs+=("$p differs between two runs")
done
[[ $(refs_of "$F12/a/remotes/pkg00.git") == "$(refs_of "$F12/c/remotes/pkg00.git")" ]] || errs+=("pkg00 depends on --packages")
cmp -s "$F12/a/base_environment.yaml" "$F12/b/base_environment.yaml" || errs+=("the base files differ")
[[ $(ls "$F12/c/remotes") == pkg00.git ]] || errs+=("--packages 1: $(ls "$F12/c/remotes")")

t "make-fixture: the four tag forms, releases at the base and the newest, deploy 3 past the newest"
for p in pkg00 pkg01; do
	r=$F12/a/remotes/$p.git
	tags=$(git --git-dir="$r" tag -l)
	for re in '^v[0-9]+\.[0-9]+\.[0-9]+$' '^v[0-9]+\.[0-9]+\.[0-9]+-alpha\.1$' \
		'^v[0-9]+\.[0-9]+\.[0-9]+\.alpha\.1$' '^w\.20[0-9]{2}\.[0-9]{2}$'; do
		grep -qE "$re" <<<"$tags" || errs+=("$p: no tag like /$re/ in: $tags")
	done
	[[ $(git --git-dir="$r" for-each-ref --format='%(objecttype)' refs/tags | sort -u) == tag ]] ||
		errs+=("$p: not every tag is annotated")
	newest=$(git --git-dir="$r" describe --tags deploy)
	[[ $newest =~ ^(v[0-9]+\.[0-9]+\.[0-9]+)-3-g[0-9a-f]+$ ]] || errs+=("$p: deploy describes as $newest")
	[[ $(git --git-dir="$r" tag -l 'v*' | sort -V | tail -1) == "${BASH_REMATCH[1]}" ]] ||
		errs+=("$p: sort -V does not end with the newest tag ${BASH_REMATCH[1]}")
	[[ $(git --git-dir="$r" rev-parse main) == $(git --git-dir="$r" rev-parse "deploy~3") ]] ||
		errs+=("$p: main is not at the newest tag")
	[[ $(git --git-dir="$r" rev-list --count deploy) == 14 ]] || errs+=("$p: not 14 commits")
done

t "make-fixture: the base file pins each package to an older release tag, at its commit"
for p in pkg00 pkg01; do
	tag=$(base_tag "$F12/a" $p) c=$(base_commit "$F12/a" $p)
	[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || errs+=("$p: base tag '$tag'")
	[[ $c =~ ^[0-9a-f]{40}$ ]] || errs+=("$p: base commit '$c'")
	[[ $(git --git-dir="$F12/a/remotes/$p.git" rev-parse "$tag^{commit}") == "$c" ]] ||
		errs+=("$p: $tag is not at $c")
	git --git-dir="$F12/a/remotes/$p.git" merge-base --is-ancestor "$c" deploy~3 &&
		[[ $c != $(git --git-dir="$F12/a/remotes/$p.git" rev-parse deploy~3) ]] ||
		errs+=("$p: the base is not older than the newest tag")
	[[ $(git -C "$F12/a/env/$p" rev-parse --abbrev-ref HEAD) == deploy ]] || errs+=("$p: the clone is not on deploy")
	[[ $(git -C "$F12/a/env/$p" remote get-url origin) == "$F12/a/remotes/$p.git" ]] || errs+=("$p: origin")
done
grep -qE '^packages:$' "$F12/a/base_environment.yaml" || errs+=("no packages: key")

t "baseline-rollback: the clones go to their base tags, and --back to deploy"
run "$BR" --help
rc_is 0
out_has "^usage: baseline-rollback DIR \[--back\]$"
run "$BR" "$F12/a" --bogus
rc_is 2
echo scratch >"$F12/a/env/pkg00/untracked.pyc"
run "$BR" "$F12/a"
rc_is 0
for p in pkg00 pkg01; do
	[[ $(git -C "$F12/a/env/$p" rev-parse HEAD) == $(base_commit "$F12/a" $p) ]] || errs+=("$p is not at its base")
	[[ -z $(git -C "$F12/a/env/$p" status --porcelain --ignored) ]] || errs+=("$p is not clean")
done
run "$BR" "$F12/a" --back
rc_is 0
for p in pkg00 pkg01; do
	[[ $(git -C "$F12/a/env/$p" rev-parse --abbrev-ref HEAD) == deploy ]] || errs+=("$p is not back on deploy")
done

t "floor: builds, and switches current to a generation of N links"
# shellcheck disable=SC2046
run cc -O2 -Wall -Wextra -Werror -o "$F12/floor" "$SRC/bench/floor.c" $(pkg-config --cflags --libs yaml-0.1 libcap) -ldl
rc_is 0
mkdir "$F12/floor-root"
run "$F12/floor" "$F12/floor-root" 5
rc_is 0
first=$(readlink "$F12/floor-root/current")
run "$F12/floor" "$F12/floor-root" 7
rc_is 0
g=$(readlink "$F12/floor-root/current")
[[ $g == generations/* && $g != "$first" ]] || errs+=("current -> $g (first $first)")
[[ $(find "$F12/floor-root/$g" -type l | wc -l) == 7 ]] || errs+=("$(ls "$F12/floor-root/$g")")
[[ $(readlink "$F12/floor-root/$g/pkg06") == ../../trees/pkg06/base ]] || errs+=("pkg06 link")
[[ -s $F12/floor-root/$g/record ]] || errs+=("no record")
[[ ! -e $F12/floor-root/current.new ]] || errs+=("current.new left behind")
run "$F12/floor" "$F12/floor-root" many
rc_is 2
rm -rf "$F12"

t "bench/run: --help prints the usage; unknown options and sections are refused"
run "$SRC/bench/run" --help
rc_is 0
out_has "^usage: bench/run \[WORK \[SECTION\.\.\.\]\]"
run "$SRC/bench/run" --bogus
rc_is 2
err_has "^usage: bench/run"
run "$SRC/bench/run" "$T/bench-unused" rollbak
rc_is 2
err_has "^bench: unknown section 'rollbak'$"
[[ ! -e $T/bench-unused ]] || errs+=("a refused bench/run made its work directory")

t "make layers: an include that points up a layer fails the build"
L=$T/layers
mkdir -p "$L"
git -C "$SRC" ls-files -z src tests/layers.sh | (cd "$SRC" && xargs -0 cp --parents -t "$L")
run bash "$L/tests/layers.sh" core policy confine door store git act
rc_is 0
out_has "^layers: every include points down"
echo '#include "act/act.h"' >>"$L/src/core/str.c"
run bash "$L/tests/layers.sh" core policy confine door store git act
rc_is 1
out_has "^src/core/str.c:[0-9]+: core includes \"act/act.h\", a higher layer$"
sed -i '$ d' "$L/src/core/str.c"
echo '#include "err.h"' >>"$L/src/store/gen.c"
run bash "$L/tests/layers.sh" core policy confine door store git act
rc_is 1
out_has "^src/store/gen.c:[0-9]+: include \"err.h\" does not name its folder$"
rm -rf "$L"
