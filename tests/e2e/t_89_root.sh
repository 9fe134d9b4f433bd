# The environment root: observers source its auto_env_setup.sh and the
# script queue imports its trees, so nobody but root and the owner account
# may be able to change it, rename it away or replace what is in it: not
# the root, not a directory above it, not the store's own directories,
# not the base file's directory. Every action refuses such a root.
e2e_alt_install
pin00="$(fx_tag pkg00):$(fx_base pkg00)"
B=$T/rootcheck
install -d -m 0755 "$B" "$B/base"
# rpolicy ROOT [BASEDIR]: one package, the base file in BASEDIR.
rpolicy() {
	local bd=${2:-$B/base}
	cat >"$ALT/etc/policy.yaml" <<YAML
owner: $E2E_OWNER
root: $1
base_file: $bd/base.yaml
lock_timeout: 3
packages:
  pkg00: {remote: $FX/remotes/pkg00.git, tags: "v*"}
roles:
  observers:   { groups: [obse2e_observers], actions: [status, rollback] }
  maintainers: { groups: [obse2e_maint], actions: [all] }
YAML
	printf 'packages:\n  pkg00: {tag: %s, commit: %s}\n' "${pin00%%:*}" "${pin00#*:}" >"$bd/base.yaml"
	chown $E2E_OWNER "$bd/base.yaml"
}
refused() { # refused ROOT-MESSAGE: exit 1, the message, the record, nothing made
	rc_is 1
	err_has "^obsenv: environment root: $1; obsenv refuses it until only root and the owner account can change it"
	audit_has "result=failed.*error=\"environment root: "
}

t "a root anyone can write: check says so, init and rollback refuse and make nothing"
R=$B/ww
install -d -m 0777 -o $E2E_OWNER -g $E2E_OWNER "$R"
chmod 0777 "$R"
rpolicy "$R"
run asuser $E2E_MNT "$ALT/obsenv" check
rc_is 1
err_has "^obsenv: $ALT/etc/policy.yaml: environment root: $R is writable by group or others \\(mode 0777\\); every action refuses it"
run asuser $E2E_MNT "$ALT/obsenv" init
refused "$R is writable by group or others \\(mode 0777\\)"
[[ -z $(ls -A "$R") ]] || errs+=("init made something in the root: $(ls -A "$R")")
run asuser $E2E_OBS "$ALT/obsenv" rollback
refused "$R is writable by group or others \\(mode 0777\\)"

t "a root an outsider made before init is refused, naming its owner"
R=$B/theirs
install -d -m 0755 -o $E2E_OUT -g $E2E_OUT "$R"
rpolicy "$R"
run asuser $E2E_MNT "$ALT/obsenv" init
refused "$R is owned by uid $UID_OUT, not by the owner account \\(uid $UID_OWNER\\)"
[[ -z $(ls -A "$R") ]] || errs+=("init made something in the outsider's root")

t "a directory above the root that others can write is refused; a root-owned sticky one is not"
P=$B/shared
install -d -m 0777 "$P"
chmod 0777 "$P"
R=$P/env
install -d -m 0755 -o $E2E_OWNER -g $E2E_OWNER "$R"
rpolicy "$R"
run asuser $E2E_MNT "$ALT/obsenv" init
refused "$P: directory is writable by group or others \\(mode 0777\\)"
chmod 1777 "$P"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
# What sticky means here: the outsider cannot rename the root away.
run asuser $E2E_OUT mv "$R" "$P/mine"
[[ $rc != 0 && -d $R/generations ]] || errs+=("an outsider renamed the root out of a sticky directory")

t "after init: a store directory others can write makes every action refuse, rollback too"
chmod 0777 "$R/pins"
run asuser $E2E_OBS "$ALT/obsenv" rollback
rc_is 1
err_has "^obsenv: environment root: $R/pins is not a directory of the owner account's alone \\(uid $UID_OWNER, mode 0777\\); obsenv refuses it$"
run asuser $E2E_OBS "$ALT/obsenv" status
rc_is 1
chmod 0755 "$R/pins"
run asuser $E2E_OBS "$ALT/obsenv" rollback
rc_is 0

t "a base file in a directory others can write: pin and init refuse it, rollback keeps to the verified pins"
chmod 0777 "$B/base"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_has "$B/base: directory is writable by group or others \\(mode 0777\\)"
mark_now
run asuser $E2E_OBS "$ALT/obsenv" rollback
rc_is 0
err_has "^obsenv: warning: the base file cannot be used \\(.*writable by group or others.*\\): rolling back to the last verified pins$"
audit_has "action=rollback.*result=ok.*warning\\.basefile=.*writable by group or others"
chmod 0755 "$B/base"

# Later files use the alternate install with their own policies.
[[ -f $T/m/policy.yaml ]] && cp "$T/m/policy.yaml" "$ALT/etc/policy.yaml"
