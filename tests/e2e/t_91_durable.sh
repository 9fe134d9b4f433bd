# Durable before named: a power cut right after a change must not leave
# current, or a tree's name, over content that never reached the disk.
# The cut is real: the file system is shut down without flushing its log
# (the ioctl crash-consistency suites use), then mounted again; on ext4
# and on XFS, each loop-mounted. SIGKILL cannot show this: the page cache
# survives it.
e2e_alt_install
A=$ALT/obsenv
D=$T/durable
install -d -m 0755 "$D" "$D/remotes" "$D/work"
install -d -m 0755 -o $E2E_OWNER "$D/base"
for p in pkg00 pkg01; do cp -a "$FX/remotes/$p.git" "$D/remotes/"; done
dmnt() { run asuser $E2E_MNT "$A" "$@"; }
dremote() { git --git-dir="$D/remotes/$1.git" rev-parse "$2"; }
# dpush PKG MESSAGE: a new commit on deploy that rewrites a file with
# 256 KiB and adds one, so a lost write shows as an empty or short file.
dpush() {
	local w=$D/work/$1
	[[ -d $w ]] || git clone -q -b deploy "$D/remotes/$1.git" "$w"
	git -C "$w" fetch -q origin && git -C "$w" reset -q --hard origin/deploy
	head -c 262144 /dev/urandom | base64 >"$w/CHANGES"
	echo "$2" >"$w/fix-$RANDOM.py"
	git -C "$w" add -A
	git -C "$w" -c user.name=t -c user.email=t@t commit -q -m "$2"
	git -C "$w" push -q origin deploy
}
# dpolicy ROOT: the two packages, the base file beside the remotes.
dpolicy() {
	cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $1
base_file: $D/base/base.yaml
lock_timeout: 5
packages:
  pkg00: {remote: $D/remotes/pkg00.git, tags: "v*"}
  pkg01: {remote: $D/remotes/pkg01.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
YAML
	install -m 0644 -o $E2E_OWNER "$FX/base_environment.yaml" "$D/base/base.yaml"
	sed -i '/pkg02:/,$d' "$D/base/base.yaml"
}
# power_cut MNT IMG: the power cut, then the disk as the next boot finds it.
power_cut() {
	xfs_io -x -c shutdown "$1" || errs+=("$1: the file system could not be shut down")
	umount "$1" && mount -o loop "$2" "$1" || errs+=("$1: could not be mounted again")
}
# intact ROOT PKG COMMIT: what a user checks after the reboot. The package
# runs COMMIT, its files are the commit's bytes, plain git agrees, and the
# store's repository is whole.
intact() {
	local root=$1 p=$2 want=$3 x=$D/x
	[[ $(basename "$(readlink -f "$root/$p")") == "$want" ]] ||
		{ errs+=("$p: current runs $(readlink -f "$root/$p"), not $want"); return 0; }
	rm -rf "$x" && mkdir "$x"
	git --git-dir="$D/remotes/$p.git" archive "$want" | tar -x -C "$x"
	diff -r --exclude=.git "$x" "$root/$p/" >"$D/diff" 2>&1 ||
		errs+=("$p: the tree differs from its commit after the cut: $(head -c 600 "$D/diff")")
	[[ -z $(git -c safe.directory='*' -C "$root/$p" status --porcelain 2>&1) ]] ||
		errs+=("$p: git status in the tree is not clean after the cut")
	git -c safe.directory='*' --git-dir="$root/repos/$p.git" fsck --no-dangling >"$D/fsck" 2>&1 ||
		errs+=("$p: git fsck of the store failed after the cut: $(head -c 600 "$D/fsck")")
}
# order TRACE: each tree's rename to its name comes after a syncfs made
# after every write of that tree, and no tree is named after current is
# renamed. Prints how many trees were named, or what was out of order.
order() {
	awk '
	/syncfs\(/ && / = 0/ { synced = 1; next }
	/rename(at2?)?\(.*"\.tmp-[0-9a-f]+-[0-9]+".*"[0-9a-f]+"\)/ {
		trees++
		if (!synced) bad = bad " tree" trees " without a syncfs"
		if (switched) bad = bad " tree" trees " after current"
		synced = 0; next }
	/rename(at2?)?\(.*"\.tmp-current-/ { switched = 1 }
	END { if (bad) print "out of order:" bad; else print trees + 0 }' "$1"
}
traced() { # traced NAME ACTION...: the action as the maintainer, under strace
	local name=$1
	shift
	strace -f -qq -y -e trace=syncfs,fsync,rename,renameat,renameat2 -o "$D/$name.trace" \
		setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- \
		"$A" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

for fs in ext4 xfs; do
	img=$D/$fs.img mp=$D/$fs R=$D/$fs/env
	t "$fs: init, pull, checkout, pin and follow sync a tree before naming it, and before current"
	truncate -s 600M "$img"
	case $fs in
	ext4) mkfs.ext4 -q -F "$img" ;;
	xfs) mkfs.xfs -q -f "$img" ;;
	esac
	install -d -m 0755 "$mp"
	mount -o loop "$img" "$mp" || { errs+=("$fs: the loop mount failed"); continue; }
	install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$R"
	dpolicy "$R"
	traced init init
	rc_is 0
	n=$(order "$D/init.trace")
	[[ $n == 4 ]] || errs+=("init: $n (expected four trees, base and deploy, named after a syncfs)")
	dpush pkg00 "durable 1"
	dpush pkg01 "durable 1"
	traced pull pull
	rc_is 0
	n=$(order "$D/pull.trace")
	[[ $n == 2 ]] || errs+=("pull: $n (expected both new trees named after a syncfs)")
	grep -qE 'fsync\([0-9]+<[^>]*/repos/pkg00\.git/objects/pack/pack_git2_[0-9a-f]+>\) = 0' "$D/pull.trace" ||
		errs+=("pull: the fetched pack was never fsynced")
	traced checkout checkout pkg01 "$(dremote pkg01 "$(fx_tag pkg01)~1")"
	rc_is 0
	n=$(order "$D/checkout.trace")
	[[ $n == 1 ]] || errs+=("checkout: $n (expected the new tree named after a syncfs)")
	tag=$(git --git-dir="$D/remotes/pkg00.git" tag -l 'v*' | sort -V | sed -n 2p)
	traced pin pin pkg00 "$tag"
	rc_is 0
	[[ $(order "$D/pin.trace") == [0-9]* ]] || errs+=("pin: $(order "$D/pin.trace")")
	traced follow follow
	rc_is 0
	[[ $(order "$D/follow.trace") == [0-9]* ]] || errs+=("follow: $(order "$D/follow.trace")")

	t "$fs: a power cut right after a pull keeps the pulled generation, whole"
	sync -f "$mp"
	dpush pkg00 "hot fix before the cut"
	dpush pkg01 "hot fix before the cut"
	before=$(readlink "$R/current")
	dmnt pull
	rc_is 0
	after=$(readlink "$R/current")
	[[ $after != "$before" ]] || errs+=("the pull made no generation: $(cat "$T/err")")
	power_cut "$mp" "$img"
	[[ $(readlink "$R/current") == "$after" ]] ||
		errs+=("after the cut current is $(readlink "$R/current"), not the pulled $after")
	intact "$R" pkg00 "$(dremote pkg00 deploy)"
	intact "$R" pkg01 "$(dremote pkg01 deploy)"
	run asuser $E2E_OBS "$A" status --verify
	rc_is 0

	t "$fs: a power cut right after a checkout, then a rollback, each whole"
	c=$(git --git-dir="$D/remotes/pkg00.git" rev-parse "$(fx_tag pkg00)~2")
	dmnt checkout pkg00 "$c"
	rc_is 0
	power_cut "$mp" "$img"
	intact "$R" pkg00 "$c"
	run asuser $E2E_OBS "$A" rollback
	rc_is 0
	power_cut "$mp" "$img"
	intact "$R" pkg00 "$(git --git-dir="$D/remotes/pkg00.git" rev-parse "$tag^{commit}")"
	intact "$R" pkg01 "$(fx_base pkg01)"
	umount "$mp"
	rm -f "$img"
done
