# needs: 70
# Regression tests for what the second attack round found to hold: kept
# here so that it keeps holding.

t "while root, obsenv opens nothing of the environment, the base file or a home, and loads no libgit2"
H_MNT=$(getent passwd $E2E_MNT | cut -d: -f6)
strace -f -qq -e trace=openat,setresuid -o "$T/root.trace" \
	setpriv --reuid=$E2E_MNT --regid="$(id -g $E2E_MNT)" --init-groups --reset-env -- \
	env HOME="$H_MNT" XDG_CONFIG_HOME="$H_MNT/.config" "$OBSENV" pull >"$T/out" 2>&1
rc=$?
rc_is 0
# Everything before the drop to the owner account (setresuid to its uid).
drop=$(grep -n "setresuid($UID_OWNER, $UID_OWNER, $UID_OWNER)" "$T/root.trace" | head -1 | cut -d: -f1)
if [[ -z $drop ]]; then
	errs+=("no drop to the owner account in the trace")
else
	before=$(head -n "$drop" "$T/root.trace" | grep openat)
	for bad in "$T/env" "$T/base_environment.yaml" "$H_MNT" "libgit2" "gitconfig"; do
		grep -qF -- "$bad" <<<"$before" && errs+=("opened while root: $(grep -F -- "$bad" <<<"$before" | head -2)")
	done
	after=$(tail -n +"$drop" "$T/root.trace" | grep openat)
	grep -q 'libgit2' <<<"$after" || errs+=("libgit2 was never loaded (the trace shows nothing to compare)")
	grep -qE "openat\\(.*$H_MNT/(\\.gitconfig|\\.config/git)" <<<"$after" && errs+=("the caller's gitconfig was read: $(grep -E "$H_MNT" <<<"$after" | head -2)")
fi
rm -f "$T/root.trace"

t "someone with no role learns nothing: refusals for existing and missing packages and tags are byte-identical"
tag=$(tag_of pkg00)
for args in "checkout pkg00 $tag" "checkout nosuch $tag" "checkout pkg00 v99.99.99" "pin pkg00 $tag" "pin nosuch v0" "pull pkg00" "pull nosuch"; do
	# shellcheck disable=SC2086
	run asuser $E2E_OUT "$OBSENV" $args
	action=${args%% *}
	rc_is 3
	err_is "obsenv: $E2E_OUT may not run '$action': no role in the policy allows it"
done

t "pin --import of a FIFO, /dev/zero, a 2 GB file or an unreadable file: refused at once, nothing pinned"
sum=$(sha256sum <"$T/base_environment.yaml")
rm -f "$H_MNT/fifo.env" "$H_MNT/big.env"
runuser -u $E2E_MNT -- mkfifo "$H_MNT/fifo.env"
runuser -u $E2E_MNT -- truncate -s 2G "$H_MNT/big.env"
install -m 0600 -o root -g root /dev/null "$T/secret.env"
echo "pkg00=9.9.9" >"$T/secret.env"
for f in "$H_MNT/fifo.env" /dev/zero "$H_MNT/big.env" "$T/secret.env"; do
	t0=$SECONDS
	run sudo_mnt pin --import "$f"
	[[ $rc != 0 ]] || errs+=("$f: pinned")
	((SECONDS - t0 < 10)) || errs+=("$f: took $((SECONDS - t0)) s")
	case $f in
	*fifo.env | /dev/zero) err_has "not a regular file" ;;
	*big.env) err_has "larger than" ;;
	*secret.env) err_has "Permission denied" ;;
	esac
done
audit_has "action=pin .*result=failed"
[[ $(sha256sum <"$T/base_environment.yaml") == "$sum" ]] || errs+=("the base file changed")
rm -f "$H_MNT/fifo.env" "$H_MNT/big.env" "$T/secret.env"
