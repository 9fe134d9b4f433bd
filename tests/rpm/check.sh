#!/bin/bash
# check.sh RPM: what a sysadmin checks before installing obsenv's RPM:
# every file's mode and owner, the config files kept on upgrade, and the
# dependencies the automatic scan cannot see. Ends with "N passed, N failed".
set -u
rpmfile=${1:?usage: check.sh RPM}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# mode owner group path, one per installed file or directory the spec owns.
want=$(cat <<'LIST'
-rwsr-xr-x root root /usr/bin/obsenv
drwxr-xr-x root root /etc/obsenv
-rw-r--r-- root root /etc/obsenv/policy.yaml
-r--r----- root root /etc/sudoers.d/obsenv
-rw-r--r-- root root /usr/share/man/man8/obsenv.8
-rw-r--r-- root root /usr/share/man/man5/obsenv-policy.5
-rw-r--r-- root root /usr/lib/systemd/system/obsenv-pull.service
-rw-r--r-- root root /usr/lib/systemd/system/obsenv-pull.timer
-rw-r--r-- root root /usr/lib/sysusers.d/obsenv.conf
-rw-r--r-- root root /usr/share/bash-completion/completions/obsenv
drwxr-xr-x obs_user obs_user /opt/obs_env
-rw-r--r-- root root /usr/share/doc/obsenv/README.md
-rw-r--r-- root root /usr/share/doc/obsenv/SECURITY.md
LIST
)
# rpm -qlvp: "mode links owner group size date... path"; man pages may be
# compressed by the build's policy, so the suffix is dropped.
have=$(rpm -qlvp "$rpmfile" 2>/dev/null | awk '{ p = $1 ~ /^l/ ? $(NF - 2) : $NF; print $1, $3, $4, p }' |
	grep -v ' /usr/lib/\.build-id' | sed -E 's/\.(gz|bz2|xz|zst)$//')
while read -r line; do
	if grep -qxF -- "$line" <<<"$have"; then ok "$line"; else bad "$line (rpm has: $(grep -F -- "${line##* }" <<<"$have"))"; fi
done <<<"$want"
extra=$(grep -vxF -f <(echo "$want") <<<"$have" | grep -v ' /usr/share/doc/obsenv$' || true)
[[ -z $extra ]] && ok "no file beyond the list" || bad "files beyond the list: $extra"

flags=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmfile" 2>/dev/null)
for f in /etc/obsenv/policy.yaml /etc/sudoers.d/obsenv; do
	grep -qE "^cn $f$" <<<"$flags" && ok "$f is %config(noreplace)" || bad "$f is not %config(noreplace): $(grep " $f$" <<<"$flags")"
done

req=$(rpm -qp --requires "$rpmfile" 2>/dev/null)
grep -q '^libgit2' <<<"$req" && ok "requires libgit2 (loaded with dlopen)" || bad "no libgit2 requirement: $req"
grep -q '^libsystemd\.so\.0' <<<"$req" && ok "requires libsystemd (built with the journal fields)" ||
	bad "no libsystemd requirement: built without the journal? $req"

# The sudoers example must activate nothing.
body=$(rpm2cpio "$rpmfile" | (cd "$(mktemp -d)" && cpio -idm --quiet ./etc/sudoers.d/obsenv && cat etc/sudoers.d/obsenv))
if [[ -z $body ]]; then
	bad "the sudoers example could not be read from the RPM"
elif grep -qvE '^(#|$)' <<<"$body"; then
	bad "the sudoers example has an active line"
else
	ok "the sudoers example is all comments"
fi

echo "$pass passed, $fail failed"
((fail == 0))
