# needs: 70
# Bash completion, as an observer's interactive shell would run it: from a
# copy the observer can read (the checkout may be in root's 0700 home).
install -m 0644 "$SRC/packaging/bash-completion/obsenv" "$T/completion"
# complete_as WORDS...: the candidates for the last word (may be "").
complete_as() {
	local line="$*"
	asuser $E2E_OBS bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		PATH=$1:$PATH
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_obsenv
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		"$T/completion" "$PREFIX/bin" "$@"
}

t "bash completion: actions, options, packages and tags"
c=$(complete_as obsenv "ro")
[[ $c == "rollback " ]] || errs+=("'ro': $c")
c=$(complete_as obsenv status "--")
[[ $c == "--check --help --json --verify " ]] || errs+=("status --: $c")
c=$(complete_as obsenv fo)
[[ $c == "follow " ]] || errs+=("'fo': $c")
c=$(complete_as obsenv follow "pkg0")
[[ $c == "pkg00 pkg01 pkg02 " ]] || errs+=("follow pkg0: $c")
c=$(complete_as obsenv pull --accept-rewrite "pkg0")
[[ $c == "pkg00 pkg01 pkg02 " ]] || errs+=("pull --accept-rewrite pkg0: $c")
c=$(complete_as obsenv checkout "pkg0")
[[ $c == "pkg00 pkg01 pkg02 " ]] || errs+=("checkout pkg0: $c")
c=$(complete_as obsenv checkout pkg01 "")
tags=$(git -c safe.directory='*' --git-dir="$T/env/repos/pkg01.git" tag -l | sort | tr '\n' ' ')
[[ $c == "deploy $tags" || $c == "${tags}deploy " ]] || errs+=("checkout pkg01: $c / want $tags deploy")
: >"$T/cycle.env"
c=$(complete_as obsenv pin --import "$T/cyc")
[[ $c == "$T/cycle.env " ]] || errs+=("pin --import: $c")
