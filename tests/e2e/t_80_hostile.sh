# Hostile repository content and a full disk, on a second install whose
# policy these tests rewrite freely.
e2e_alt_install
# evil_repo NAME: a bare repository whose tag v1 is a harmless commit.
# evil_top NAME ENTRIES: its deploy branch becomes a commit with the given
# tree entries ("mode type id<TAB>name" lines, as git mktree reads them).
evil_repo() {
	local g=$T/$1.git readme tree
	rm -rf "$g"
	git init -q --bare "$g"
	readme=$(echo harmless | git --git-dir="$g" hash-object -w --stdin)
	tree=$(printf '100644 blob %s\tREADME\n' "$readme" | git --git-dir="$g" mktree)
	EVIL_BASE=$(git --git-dir="$g" -c user.name=e -c user.email=e@e commit-tree -m base "$tree")
	git --git-dir="$g" -c user.name=e -c user.email=e@e tag -a -m v1 v1 "$EVIL_BASE"
}
evil_top() {
	local g=$T/$1.git tree top
	tree=$(printf '%s\n' "$2" | git --git-dir="$g" mktree)
	top=$(git --git-dir="$g" -c user.name=e -c user.email=e@e commit-tree -p "$EVIL_BASE" -m evil "$tree")
	git --git-dir="$g" update-ref refs/heads/deploy "$top"
	chmod -R a+rX "$g"
	echo "$g@v1:$EVIL_BASE"
}
blob() { printf '%s' "$2" | git --git-dir="$T/$1.git" hash-object -w --stdin; }

install -d -m 0755 -o $E2E_OWNER "$T/outside"
t "hostile content: symlinks out of the tree, .gitmodules, case collisions"
evil_repo evil-a
a_up=$(blob evil-a upper) a_low=$(blob evil-a lower) a_link=$(blob evil-a "$T/outside")
a_esc=$(blob evil-a ../../../../../../../../etc/passwd)
a_mod=$(blob evil-a "$(printf '[submodule "x"]\n\tpath = ../../../x\n\turl = -oProxyCommand=touch %s/pwned\n' "$T")")
spec=$(evil_top evil-a "$(printf '100644 blob %s\tREADME\n100644 blob %s\treadme\n120000 blob %s\tlib\n120000 blob %s\tescape\n100644 blob %s\t.gitmodules' \
	"$a_up" "$a_low" "$a_link" "$a_esc" "$a_mod")")
alt_env "$T/alt-env" "evil=$spec"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
tree=$(readlink -f "$T/alt-env/evil")
[[ $(cat "$tree/README") == upper && $(cat "$tree/readme") == lower ]] || errs+=("case-colliding names overwrote each other")
[[ -L $tree/lib && $(readlink "$tree/lib") == "$T/outside" ]] || errs+=("lib is not the symlink it was")
[[ -L $tree/escape ]] || errs+=("escape is not a symlink")
[[ -z $(ls -A "$T/outside") ]] || errs+=("something was written outside the tree: $(ls -A "$T/outside")")
[[ ! -e $T/x && ! -e $T/alt-env/x ]] || errs+=("the submodule path was created")
not_pwned
run asuser $E2E_MNT "$ALT/obsenv" status --verify
rc_is 0
out_has "^evil .* no$"
unchanged

t "hostile content arriving by pull: symlinks out of the tree and .gitmodules stay inert"
evil_repo evil-p
git --git-dir="$T/evil-p.git" update-ref refs/heads/deploy "$EVIL_BASE"
chmod -R a+rX "$T/evil-p.git"
alt_env "$T/alt-env3" "evil=$T/evil-p.git@v1:$EVIL_BASE"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
p_link=$(blob evil-p "$T/outside") p_esc=$(blob evil-p ../../../../../../../../etc/shadow)
p_mod=$(blob evil-p "$(printf '[submodule "x"]\n\tpath = ../../../x\n\turl = -oProxyCommand=touch %s/pwned\n' "$T")")
evil_top evil-p "$(printf '120000 blob %s\tlib\n120000 blob %s\tescape\n100644 blob %s\t.gitmodules' \
	"$p_link" "$p_esc" "$p_mod")" >/dev/null
run asuser $E2E_MNT "$ALT/obsenv" pull
rc_is 0
out_has "^evil: ${EVIL_BASE:0:10} -> [0-9a-f]{10} \\(deploy\\)$"
tree=$(readlink -f "$T/alt-env3/evil")
[[ -L $tree/lib && $(readlink "$tree/lib") == "$T/outside" && -L $tree/escape ]] || errs+=("the symlinks are not the symlinks they were")
[[ -z $(ls -A "$T/outside") && ! -e $T/x && ! -e $T/alt-env3/x ]] || errs+=("something was written outside the tree")
not_pwned
unchanged

# evil_fails WHAT NAME: init refuses NAME's deploy tree and changes nothing.
evil_fails() {
	t "hostile content: $1 is refused"
	rm -rf "$T/alt-env2"
	alt_env "$T/alt-env2" "evil=$2"
	run asuser $E2E_MNT "$ALT/obsenv" init
	rc_is 1
	err_has "^obsenv: evil: "
	[[ -e $T/alt-env2/current ]] && errs+=("a generation was made")
	[[ -z $(find "$T/alt-env2" -name '.tmp-*' | head -1) ]] || errs+=("leftovers: $(find "$T/alt-env2" -name '.tmp-*')")
	[[ -z $(ls -A "$T/outside") ]] || errs+=("something was written outside the tree")
	audit_has "action=init .*result=failed exit=1 error=\"evil: "
	not_pwned
	unchanged
}
evil_repo evil-b
spec=$(evil_top evil-b "$(printf '100644 blob %s\t.git' "$(blob evil-b "$(printf '[core]\n\thooksPath = /tmp\n')")")")
evil_fails "an entry named .git" "$spec"
evil_repo evil-c
spec=$(evil_top evil-c "$(printf '100644 blob %s\t.GIT' "$(blob evil-c x)")")
evil_fails "an entry named .GIT" "$spec"
evil_repo evil-d
d_sub=$(printf '100644 blob %s\tpwned\n' "$(blob evil-d x)" | git --git-dir="$T/evil-d.git" mktree)
spec=$(evil_top evil-d "$(printf '120000 blob %s\tlib\n040000 tree %s\tlib' "$(blob evil-d "$T/outside")" "$d_sub")")
evil_fails "a symlink and a directory of the same name" "$spec"
evil_repo evil-e
e_sub=$(printf '100644 blob %s\tpwned\n' "$(blob evil-e x)" | git --git-dir="$T/evil-e.git" mktree)
spec=$(evil_top evil-e "$(printf '040000 tree %s\t..' "$e_sub")")
evil_fails "an entry named .." "$spec"
evil_repo evil-f
spec=$(evil_top evil-f "$(printf '100644 blob %s\tgit~1' "$(blob evil-f x)")")
evil_fails "an entry named git~1 (the NTFS short name of .git)" "$spec"
evil_repo evil-g
spec=$(evil_top evil-g "$(printf '100644 blob %s\t.git.' "$(blob evil-g x)")")
evil_fails "an entry named .git. (NTFS drops the dot)" "$spec"
evil_repo evil-h
h_git=$(printf '100644 blob %s\tconfig\n' "$(blob evil-h "$(printf '[core]\n\tfsmonitor = touch %s/pwned\n' "$T")")" |
	git --git-dir="$T/evil-h.git" mktree)
h_sub=$(printf '040000 tree %s\t.git\n' "$h_git" | git --git-dir="$T/evil-h.git" mktree)
spec=$(evil_top evil-h "$(printf '040000 tree %s\tsub' "$h_sub")")
evil_fails "a nested repository (sub/.git/config)" "$spec"

t "hostile content: a gitlink (submodule entry) becomes an empty directory, nothing fetched"
evil_repo evil-i
i_tree=$(printf '160000 commit %s\tvendored\n100644 blob %s\tREADME\n' "$(printf '%040d' 7)" "$(blob evil-i ok)" |
	git --git-dir="$T/evil-i.git" mktree --missing)
i_top=$(git --git-dir="$T/evil-i.git" -c user.name=e -c user.email=e@e commit-tree -p "$EVIL_BASE" -m gitlink "$i_tree")
git --git-dir="$T/evil-i.git" update-ref refs/heads/deploy "$i_top"
chmod -R a+rX "$T/evil-i.git"
rm -rf "$T/alt-env4"
alt_env "$T/alt-env4" "evil=$T/evil-i.git@v1:$EVIL_BASE"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
tree=$(readlink -f "$T/alt-env4/evil")
[[ -d $tree/vendored && -z $(ls -A "$tree/vendored") ]] || errs+=("vendored: $(ls -la "$tree/vendored" 2>&1)")
[[ $(cat "$tree/README") == ok ]] || errs+=("the rest of the tree is missing")
not_pwned

t "a full disk while materializing leaves the current generation untouched"
install -d -m 0755 "$T/small"
mount -t tmpfs -o size=4m,mode=0755 tmpfs "$T/small"
p0="pkg00=$FX/remotes/pkg00.git@$(fx_tag pkg00):$(fx_base pkg00)"
alt_env "$T/small/env" "$p0"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
g=$(readlink "$T/small/env/current")
alt_env "$T/small/env" "$p0" "pkg01=$FX/remotes/pkg01.git@$(fx_tag pkg01):$(fx_base pkg01)" \
	"pkg02=$FX/remotes/pkg02.git@$(fx_tag pkg02):$(fx_base pkg02)"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_has "[Nn]o space left on device"
[[ $(readlink "$T/small/env/current") == "$g" ]] || errs+=("current moved")
[[ -d $T/small/env/pkg00/ && ! -e $T/small/env/pkg01 ]] || errs+=("the environment changed")
run asuser $E2E_MNT "$ALT/obsenv" status
rc_is 0
out_has "^pkg00 "
umount "$T/small"
