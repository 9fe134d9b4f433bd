# --help and the man page agree: the same actions, and every option an
# action's usage shows is in that action's entry in obsenv(8).
MAN=$SRC/man/obsenv.8
# man_actions: "name<TAB>header line" for each entry under ACTIONS.
man_actions() {
	awk '/^\.SH ACTIONS/ { a = 1; next } /^\.SH / { a = 0 }
	     a && prev == ".TP" && /^\.B/ { l = $0; gsub(/\\/, "", l); split(l, f, " "); n = f[2]; gsub(/"/, "", n); print n "\t" l }
	     { prev = $0 }' "$MAN"
}

t "obsenv --help lists exactly the actions obsenv(8) describes"
run asuser $E2E_OUT "$OBSENV" --help
rc_is 0
help_actions=$(awk '/^actions:/ { a = 1; next } a && !NF { exit } a { print $1 }' <<<"$out" | sort -u)
doc_actions=$(man_actions | cut -f1 | sort -u)
[[ -n $help_actions && $help_actions == "$doc_actions" ]] ||
	errs+=("--help: $(echo $help_actions) / obsenv(8): $(echo $doc_actions)")

t "every action's --help works, and its options are in obsenv(8)"
for a in $help_actions; do
	run asuser $E2E_OUT "$OBSENV" "$a" --help
	[[ $rc == 0 && $out == "usage: obsenv $a"* ]] || { errs+=("$a --help: exit $rc: $out $err"); continue; }
	doc=$(man_actions | awk -F'\t' -v a="$a" '$1 == a { print $2 }')
	for o in $(grep -oE -- '(^|[ [|])--?[a-z][a-z-]*' <<<"${out%%$'\n'*}" | sed 's/^[ [|]//'); do
		grep -qF -- "$o" <<<"$doc" || errs+=("$a: option $o is not in obsenv(8): $doc")
	done
done

t "--version prints the version and the compiled-in policy path"
run asuser $E2E_OUT "$OBSENV" --version
rc_is 0
[[ $out == "obsenv "[0-9]*$'\n'"policy: $POLICY" ]] || errs+=("--version: $out")
