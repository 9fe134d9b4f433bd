#!/bin/bash
# layers.sh LAYER...: src/ is a stack of folders, lowest first. Every
# include of the project's own headers names its folder ("store/gen.h"),
# and points into its own folder or one listed before it; main.c, on top,
# may include any. Prints each include that breaks this and fails.
set -u
cd "$(dirname "$0")/.."
declare -A rank
i=0
for l in "$@"; do rank[$l]=$i; i=$((i + 1)); done
rank[main]=$i
bad=0
# The seccomp program is generated at build time, beside no folder.
generated="sandbox_bpf.h"
while IFS=: read -r file line text; do
	from=${file#src/}
	from=${from%%/*}
	[[ $from == main.c ]] && from=main
	inc=${text#*\"}
	inc=${inc%%\"*}
	if [[ $inc != */* ]]; then
		[[ $inc == "$generated" ]] && continue
		echo "$file:$line: include \"$inc\" does not name its folder"
		bad=1
		continue
	fi
	to=${inc%%/*}
	if [[ -z ${rank[$to]:-} ]]; then
		echo "$file:$line: include \"$inc\" is in no layer ($*)"
		bad=1
	elif [[ -z ${rank[$from]:-} ]]; then
		echo "$file: in no layer ($*)"
		bad=1
	elif ((rank[$to] > rank[$from])); then
		echo "$file:$line: $from includes \"$inc\", a higher layer"
		bad=1
	fi
done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' src/*.c src/*/*.[ch])
((bad == 0)) && echo "layers: every include points down ($* main)"
exit $bad
