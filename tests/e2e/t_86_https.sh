# HTTPS remotes against a real TLS git server (git http-backend behind
# Python's ssl on 127.0.0.1): certificates are verified by libgit2 against
# the system's CAs, and obsenv accepts nothing libgit2 did not verify.
e2e_alt_install
H=$T/https
install -d -m 0755 "$H" "$H/srv"
cp -a "$FX/remotes/pkg00.git" "$H/srv/"
chmod -R a+rX "$H/srv"
ossl() { openssl "$@" >/dev/null 2>&1; }
# The test CA becomes trusted system-wide for the rest of the run (the
# timeout tests may have made it already; e2e_cleanup removes it).
e2e_test_ca || echo "# the test CA could not be made and trusted"
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext subjectAltName=DNS:localhost \
	-keyout "$H/self.key" -out "$H/self.crt"
/usr/bin/python3 "$SRC/tests/e2e/https_git.py" "$H/srv" 8443 "$CA/srv.crt" "$CA/srv.key" &
echo $! >>"$H/pids"
/usr/bin/python3 "$SRC/tests/e2e/https_git.py" "$H/srv" 8444 "$H/self.crt" "$H/self.key" &
echo $! >>"$H/pids"
for _ in $(seq 50); do curl -sf --cacert "$CA/ca.crt" https://localhost:8443/pkg00.git/info/refs?service=git-upload-pack -o /dev/null && break; sleep 0.1; done
pin00="$(fx_tag pkg00):$(fx_base pkg00)"

t "https: init from a server whose certificate a trusted CA signed"
rm -rf "$T/https-env"
alt_env "$T/https-env" "pkg00=https://localhost:8443/pkg00.git@$pin00"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 0
out_has "^generation 1: 1 package on its deploy branch$"
[[ $(basename "$(readlink -f "$T/https-env/pkg00")") == "$(git --git-dir="$H/srv/pkg00.git" rev-parse deploy)" ]] || errs+=("not on the deploy head")
run asuser $E2E_MNT "$ALT/obsenv" pull
rc_is 0

t "https: a self-signed certificate is refused"
rm -rf "$T/https-env2"
alt_env "$T/https-env2" "pkg00=https://localhost:8444/pkg00.git@$pin00"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_has "^obsenv: pkg00: .*certificate"
[[ -e $T/https-env2/current ]] && errs+=("a generation was made")

t "https: a certificate for another host name is refused"
rm -rf "$T/https-env3"
alt_env "$T/https-env3" "pkg00=https://127.0.0.1:8443/pkg00.git@$pin00"
run asuser $E2E_MNT "$ALT/obsenv" init
rc_is 1
err_has "^obsenv: pkg00: .*certificate"
[[ -e $T/https-env3/current ]] && errs+=("a generation was made")

xargs kill <"$H/pids" 2>/dev/null
