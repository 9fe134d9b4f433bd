# Trees share their files: each tree's file is a hard link to one read-
# only copy per (blob, mode) in repos/<pkg>.git/files, so that a pull
# writes what changed and nothing else, and nothing ever writes through a
# shared inode. On an environment of its own at the second install (whose
# policy is put back as it was at the end).
e2e_alt_install
[[ -f $ALT/etc/policy.yaml ]] && cp "$ALT/etc/policy.yaml" "$T/alt-policy.before94"
A=$ALT/obsenv
sh94() { run asuser $E2E_MNT "$A" "$@"; }
scommit() { basename "$(readlink -f "$S/env/$1")"; }
sbase() { awk -v p="$1:" '$1 == p { f = 1 } f && $1 == "commit:" { print $2; exit }' "$S/owner/base.yaml"; }
stree() { echo "$S/env/trees/$1/$2"; }
store94() { echo "$S/env/repos/$1.git/files"; }
# spush PKG FILE TEXT: one new commit on the remote's deploy that writes FILE.
spush() {
	local w=$S/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$S/remotes/$1.git" "$w"
	git -C "$w" fetch -q origin && git -C "$w" reset -q --hard origin/deploy
	echo "$3" >"$w/$2"
	git -C "$w" add "$2"
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$3"
	git -C "$w" push -q origin deploy
}
# files_of COMMIT: "path mode-and-blob" for each regular file of pkg00's commit, sorted.
files_of() {
	git --git-dir="$S/remotes/pkg00.git" ls-tree -r "$1" |
		awk -F'\t' '{ split($1, a, " "); if (a[1] != "120000" && a[1] != "160000") print $2, a[1] a[3] }' | sort
}
# inodes DIR: "path inode" for each regular file, sorted.
inodes() { (cd "$1" && find . -type f ! -path ./.git -printf '%P %i\n' | sort); }
# same_files PKG COMMIT: the tree has exactly the commit's files, git in it
# is clean and its index holds the files' stat data, and it is read-only.
same_files() {
	local d f ino
	d=$(stree "$1" "$2")
	rm -rf "$T/arch94" && mkdir "$T/arch94"
	git --git-dir="$S/remotes/$1.git" archive "$2" | tar -x -C "$T/arch94"
	diff -r -x .git "$T/arch94" "$d" >/dev/null 2>&1 ||
		errs+=("$1: the tree of ${2:0:10} differs from its commit: $(diff -rq -x .git "$T/arch94" "$d" 2>&1 | head -3)")
	run runuser -u $E2E_OWNER -- git -C "$d" status --porcelain
	[[ $rc == 0 && -z $out ]] || errs+=("$1: git status in the tree of ${2:0:10}: exit $rc: $out $err")
	f=$(cd "$d" && git -c safe.directory='*' ls-files | head -1)
	ino=$(runuser -u $E2E_OWNER -- git -C "$d" ls-files --debug -- "$f" | sed -n 's/.*ino: \([0-9]*\).*/\1/p')
	[[ -n $f && $ino == "$(stat -c %i "$d/$f")" ]] || errs+=("$1: the index has no stat data for $f ($ino)")
	[[ -z $(find "$d" -perm /0222 ! -type l | head -1) ]] || errs+=("$1: writable in the tree: $(find "$d" -perm /0222 ! -type l | head -3)")
}

# shared_suite DIR FS: the tests on an environment in DIR, on file system FS.
shared_suite() {
	S=$1 fs=$2
	install -d -m 0755 "$S" "$S/remotes" "$S/work"
	install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$S/env"
	for p in pkg00 pkg01; do cp -a "$FX/remotes/$p.git" "$S/remotes/"; done
	install -d -m 0755 -o $E2E_OWNER "$S/owner"
	install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$S/owner/base.yaml"
	sed -i '/^  pkg02:/,$d' "$S/owner/base.yaml"
	cat >"$ALT/etc/policy.yaml" <<-YAML
	owner: $E2E_OWNER
	root: $S/env
	base_file: $S/owner/base.yaml
	lock_timeout: 5
	keep_generations: 3
	packages:
	  pkg00: {remote: $S/remotes/pkg00.git, tags: "v*"}
	  pkg01: {remote: $S/remotes/pkg01.git, tags: "v*"}
	roles:
	  observers:   { groups: [obse2e_observers], actions: [status, rollback, history, diff] }
	  maintainers: { groups: [obse2e_maint], actions: [all] }
	YAML
	t "$fs: shared trees: init builds every tree from the file store, read-only, git in it clean"
	sh94 init
	rc_is 0
	for p in pkg00 pkg01; do
		same_files $p "$(scommit $p)"
		same_files $p "$(sbase $p)"
		[[ -d $(store94 $p) && $(stat -c %a "$(store94 $p)") == 700 ]] || errs+=("$p: no file store, or not the owner's alone")
	done
	audit_has "action=init .*result=ok"

	t "$fs: a pull with a one-file commit: the new tree links every other file of the tree before, the old tree is untouched"
	old=$(scommit pkg00)
	old_ids=$(inodes "$(stree pkg00 "$old")")
	old_sum=$(cd "$(stree pkg00 "$old")" && find . -type f ! -path ./.git -exec sha256sum {} + | sort)
	spush pkg00 hotfix94.py "print('fixed')"
	sh94 pull
	rc_is 0
	new=$(scommit pkg00)
	[[ $new == "$(git --git-dir="$S/remotes/pkg00.git" rev-parse deploy)" && $new != "$old" ]] || errs+=("the pull did not land: $err")
	same_files pkg00 "$new"
	new_ids=$(inodes "$(stree pkg00 "$new")")
	# Every file the commits have alike is one inode in both trees; every
	# file they differ in (the hot fix, and whatever deploy had before it)
	# is a new one.
	same=$(join <(echo "$old_ids") <(echo "$new_ids") | awk '$2 == $3 { print $1 }' | sort)
	unchanged=$(join <(files_of "$old") <(files_of "$new") | awk '$2 == $3 { print $1 }' | sort)
	[[ -n $unchanged ]] || errs+=("set-up: the commits ${old:0:10} and ${new:0:10} share no file")
	[[ $same == "$unchanged" ]] || errs+=("shared: $(wc -l <<<"$same") files, unchanged: $(wc -l <<<"$unchanged"): $(diff <(echo "$same") <(echo "$unchanged") | head -3)")
	[[ $(cd "$(stree pkg00 "$old")" && find . -type f ! -path ./.git -exec sha256sum {} + | sort) == "$old_sum" ]] ||
		errs+=("the tree before the pull changed")
	# du counts a shared inode once: the new tree adds its directories and index.
	read -r a b < <(du -s -B1 "$(stree pkg00 "$old")" "$(stree pkg00 "$new")" | awk '{ print $1 }' | tr '\n' ' ')
	((b * 4 < a)) || errs+=("the new tree costs $b bytes beside the old one's $a")
	audit_has "action=pull .*result=ok .*pkg\.pkg00=${old}\.\.${new}"

	t "$fs: the file store holds one copy per file the kept trees have, and frees what only a trimmed tree had"
	for i in 1 2 3 4; do
		spush pkg00 hotfix94.py "print('fixed $i')"
		sh94 pull
		rc_is 0
	done
	# A pull that switched sets the tree it made unneeded aside and returns;
	# each next run removes what earlier ones set aside, so a burst leaves
	# the last pull's alone, and the next pull with nothing new (the
	# timer's, a minute later) removes that too.
	gone=$(find "$S/env/trees/pkg00" -maxdepth 1 -name '.tmp-trash-*' | wc -l)
	((gone == 1)) || errs+=("after four pulls $gone trees are set aside, not the last pull's one: $(ls -A "$S/env/trees/pkg00")")
	sh94 pull
	rc_is 0
	out_has "^nothing new: nothing changed"
	[[ -z $(find "$S/env/trees/pkg00" -maxdepth 1 -name '.tmp-*' | head -1) ]] ||
		errs+=("the pull with nothing new left the trash: $(ls -A "$S/env/trees/pkg00" | grep '^\.tmp-')")
	copies=$(find "$(store94 pkg00)" -type f | wc -l)
	linked=$(find "$S/env/trees/pkg00" -type f ! -name .git ! -name '*.meta' -printf '%i\n' | sort -u | wc -l)
	[[ $copies == "$linked" ]] || errs+=("the file store has $copies copies, the trees $linked distinct files")
	[[ -z $(find "$(store94 pkg00)" -type f -links 1 | head -1) ]] || errs+=("a copy no tree has was kept")
	# keep_trees is 2: current's, the one before, and the base pin's.
	[[ $(ls "$S/env/trees/pkg00" | grep -cvE '\.meta$') -le 3 ]] || errs+=("trees were not trimmed: $(ls "$S/env/trees/pkg00")")
	[[ -z $(ls -A "$(store94 pkg00)" | grep '^\.tmp-') ]] || errs+=("leftovers in the file store")

	t "$fs: a set-aside tree nobody can remove: the next pull lands and says so once; a later pull removes it"
	spush pkg00 hotfix94.py "print('trash 1')"
	sh94 pull
	rc_is 0
	tr=$(find "$S/env/trees/pkg00" -maxdepth 1 -name '.tmp-trash-*' | head -1)
	[[ -n $tr ]] || errs+=("set-up: the pull set no tree aside: $(ls -A "$S/env/trees/pkg00")")
	install -d -m 0755 -o root -g root "$tr/planted" && : >"$tr/planted/file"
	spush pkg00 hotfix94.py "print('trash 2')"
	sh94 pull
	rc_is 0
	[[ $(scommit pkg00) == "$(git --git-dir="$S/remotes/pkg00.git" rev-parse deploy)" ]] || errs+=("the pull did not land: $err")
	err_has "^obsenv: warning: old trees were not removed: cannot remove ${tr##*/}/\.\.\./file: Permission denied$"
	[[ $(grep -c "not removed" <<<"$err") == 1 ]] || errs+=("not one warning: $err")
	audit_has "action=pull .*result=ok .*warning=\"old trees were not removed: cannot remove ${tr##*/}/\.\.\./file: Permission denied\""
	[[ -f $tr/planted/file ]] || errs+=("the planted file went")
	rm -rf "$tr/planted"
	sh94 pull
	rc_is 0
	[[ -z $err ]] || errs+=("a warning once the tree is removable: $err")
	[[ -z $(find "$S/env/trees/pkg00" -maxdepth 1 -name '.tmp-*' | head -1) ]] ||
		errs+=("the trash stayed: $(ls -A "$S/env/trees/pkg00" | grep '^\.tmp-')")

	t "$fs: a store copy made writable is never linked again: the next tree gets a new read-only copy"
	cur=$(scommit pkg00)
	f=$(cd "$(stree pkg00 "$cur")" && git -c safe.directory='*' ls-files | grep -v hotfix94 | head -1)
	ino=$(stat -c %i "$(stree pkg00 "$cur")/$f")
	copy=$(find "$(store94 pkg00)" -inum "$ino")
	[[ -n $copy ]] || errs+=("set-up: no store copy of $f")
	chmod u+w "$copy"
	spush pkg00 hotfix94.py "print('fixed 5')"
	sh94 pull
	rc_is 0
	new=$(scommit pkg00)
	[[ $(stat -c %i "$(stree pkg00 "$new")/$f") != "$ino" ]] || errs+=("the writable copy was linked into the new tree")
	same_files pkg00 "$new"

	t "$fs: a shared file changed by hand: verify finds it in the base tree, --repair gives the base tree and the store a new copy"
	b=$(sbase pkg01)
	d=$(stree pkg01 "$b")
	f=$(cd "$d" && git -c safe.directory='*' ls-files | grep '\.py$' | head -1)
	[[ $(stat -c %h "$d/$f") -ge 3 ]] || errs+=("set-up: $f is not shared ($(stat -c %h "$d/$f") links)")
	damaged=$(stat -c %i "$d/$f")
	chmod u+w "$d/$f" && echo "# by hand" >>"$d/$f" && chmod u-w "$d/$f"
	sh94 verify
	rc_is 1
	out_has "^pkg01: the base tree ${b:0:10} differs from its commit in 1 file$"
	sh94 verify --repair
	rc_is 0
	err_has "^obsenv: warning: pkg01: the base tree $b differed from its commit in 1 file; rebuilt from the object store$"
	same_files pkg01 "$b"
	[[ $(stat -c %i "$d/$f") != "$damaged" ]] || errs+=("the repaired tree kept the damaged inode")
	blob=$(git --git-dir="$S/remotes/pkg01.git" rev-parse "$b:$f")
	[[ $(git hash-object "$(store94 pkg01)/$blob") == "$blob" ]] || errs+=("the store's copy is still damaged")
	audit_has "action=verify .*result=ok .*repaired\.pkg01=\"$b files=1\""

	t "$fs: a file store in the older fan-out layout is moved to the flat one, each copy keeping its inode"
	fs94=$(store94 pkg00)
	c=$(scommit pkg00)
	f=$(cd "$(stree pkg00 "$c")" && git -c safe.directory='*' ls-files | grep '\.py$' | grep -v hotfix94 | head -1)
	ino=$(stat -c %i "$(stree pkg00 "$c")/$f")
	# As a store of the earlier release had it: files/ab/cdef...
	for x in "$fs94"/*; do
		n=$(basename "$x")
		install -d -m 0700 -o $E2E_OWNER -g $E2E_OWNER "$fs94/${n:0:2}"
		mv "$x" "$fs94/${n:0:2}/${n:2}"
	done
	spush pkg00 hotfix94.py "print('fanout')"
	sh94 pull pkg00
	rc_is 0
	[[ -z $(find "$fs94" -mindepth 1 -type d | head -1) ]] || errs+=("fan-out directories are left: $(find "$fs94" -mindepth 1 -type d | head -3)")
	new=$(scommit pkg00)
	[[ $new != "$c" ]] || errs+=("set-up: the pull did not move pkg00")
	[[ $(stat -c %i "$(stree pkg00 "$new")/$f") == "$ino" ]] || errs+=("the new tree does not share $f with the tree before")
	[[ -z $(find "$fs94" -type f -links 1 | head -1) ]] || errs+=("a copy no tree has: $(find "$fs94" -type f -links 1 | head -3)")

	# Each pull that brings a commit adds a pack to the store; libgit2
	# keeps each pack it reads from open unless bounded, and obsenv runs
	# with 1,024 descriptors.
	if [[ $fs != xfs ]]; then
		t "$fs: a store of 1,100 packs: a commit whose files are in them all is pulled and built"
		w=$S/work/pkg01
		[[ -d $w ]] || git clone -q -b deploy "$S/remotes/pkg01.git" "$w"
		mkdir -p "$w/many"
		for i in $(seq 1100); do echo "many $i" >"$w/many/f$i.py"; done
		git -C "$w" add many
		git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "many files"
		git -C "$w" push -q origin deploy
		st=$S/env/repos/pkg01.git
		n0=$(find "$st/objects/pack" -name '*.pack' | wc -l)
		c94=$(git -C "$w" rev-parse HEAD)
		# Every object of the commit in a pack of its own, and a ref
		# reaching it, as after many pulls: the fetch has nothing to
		# send, and the build reads each file from a different pack.
		git -C "$w" rev-list --objects HEAD^..HEAD | awk '{ print $1 }' >"$T/objects94"
		while read -r o94; do
			echo "$o94" | git -C "$w" pack-objects -q "$st/objects/pack/pack" >/dev/null
		done <"$T/objects94"
		git -c safe.directory="*" --git-dir="$st" update-ref "refs/obsenv/deployed/$c94" "$c94"
		chown -R $E2E_OWNER:$E2E_OWNER "$st/objects" "$st/refs"
		packs=$(find "$st/objects/pack" -name '*.pack' | wc -l)
		((packs > 1100)) || errs+=("set-up: $packs packs")
		(cd "$st/objects/pack" && ls -- *.pack) | sort >"$T/packs94"
		sh94 pull pkg01
		rc_is 0
		[[ $(scommit pkg01) == "$c94" ]] || errs+=("the pull did not land: $err")
		[[ $(find "$(stree pkg01 "$c94")/many" -type f | wc -l) == 1100 ]] || errs+=("the tree lacks files")
		same_files pkg01 "$c94"
		# The same pull merged the small packs into one: init's pack (the
		# largest) stays, and at most one more of the packs before (the
		# 1,100-entry tree's may be too large to count as small); every
		# object is there and the store is whole.
		packs=$(find "$st/objects/pack" -name '*.pack' | wc -l)
		((packs <= n0 + 2)) || errs+=("after the pull $packs packs are left ($n0 before the set-up)")
		left=$(comm -12 "$T/packs94" <( (cd "$st/objects/pack" && ls -- *.pack) | sort) | wc -l)
		((left <= n0 + 1)) || errs+=("$left of the packs before the pull stayed")
		[[ $(find "$st/objects/pack" -name '*.idx' | wc -l) == "$packs" ]] || errs+=("indexes and packs differ: $(ls "$st/objects/pack")")
		run runuser -u $E2E_OWNER -- git --git-dir="$st" fsck --no-dangling
		[[ $rc == 0 ]] || errs+=("git fsck of the merged store: exit $rc: ${err:0:400}")
		run runuser -u $E2E_OWNER -- git --git-dir="$st" cat-file -e "$(tail -1 "$T/objects94")"
		[[ $rc == 0 ]] || errs+=("an object of the pulled commit is gone after the merge")
		audit_has "action=pull .*result=ok .*packs_merged\.pkg01=1[01][0-9][0-9]"
		sh94 verify
		rc_is 0

		t "$fs: the next pulls leave the merged pack alone until 16 small ones are there again"
		for i in 1 2; do
			spush pkg01 many/f1.py "print('again $i')"
			sh94 pull pkg01
			rc_is 0
		done
		more=$(find "$st/objects/pack" -name '*.pack' | wc -l)
		((more == packs + 2)) || errs+=("after two more pulls $more packs, not $((packs + 2))")
		[[ $(scommit pkg01) == "$(git --git-dir="$S/remotes/pkg01.git" rev-parse deploy)" ]] || errs+=("the pulls did not land")
	fi

	t "$fs: a store copy removed by hand is written again when a tree needs it"
	rm -rf "$(stree pkg01 "$b")" "$(store94 pkg01)"/*
	sh94 verify --repair
	rc_is 0
	err_has "^obsenv: warning: pkg01: the base tree $b was missing; rebuilt from the object store$"
	same_files pkg01 "$b"

}

shared_suite "$T/shared" "$(stat -f -c %T "$T")"
# The same on XFS, where production runs, loop-mounted.
img94=$T/shared94-xfs.img
truncate -s 400M "$img94" && mkfs.xfs -q -f "$img94" && install -d -m 0755 "$T/xfs94" &&
	mount -o loop "$img94" "$T/xfs94" && shared_suite "$T/xfs94/shared" xfs
mountpoint -q "$T/xfs94" || { t "xfs: the loop mount"; errs+=("could not loop-mount XFS"); }
umount "$T/xfs94" 2>/dev/null
rm -f "$img94"
# (more shared-tree tests above this line)
[[ -f $T/alt-policy.before94 ]] && cp "$T/alt-policy.before94" "$ALT/etc/policy.yaml"
