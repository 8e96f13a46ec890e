#!/usr/bin/env bash
# The layers, read off the include lines (docs/design.md):
#
#   core <- lib <- hw, sim <- daemon;  ctl <- lib
#
#   core    includes only core (and system headers)
#   lib     includes lib and core
#   hw      includes hw, lib and core
#   sim     includes sim, lib, core, and of hw only the interface hw/hw.h
#   daemon  includes everything but ctl
#   ctl     includes ctl and lib (core only through lib)
#
# Every #include of every .c and .h under src/ is resolved the way the
# compiler resolves it (-Isrc): "x.h" first next to the including file, then
# under src/; <x.h> under src/ when it is there, else a system header. So
# "pid.h", "../core/pid.h", "core/pid.h" and <core/pid.h> are one file. A
# include that breaks the rule fails with FILE:LINE and the rule. A directory
# under src/ that is in no layer fails too: add it to RULES below.
#
# The checker first runs on a made-up tree with known bad includes in every
# form and must find exactly those, so it cannot pass on nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# layer -> what it may include: layers, or single files (relative to src/).
declare -A RULES=(
	[core]="core"
	[lib]="lib core"
	[hw]="hw lib core"
	[sim]="sim lib core hw/hw.h"
	[daemon]="daemon sim hw lib core"
	[ctl]="ctl lib"
)
declare -A SAYS=(
	[core]="core includes only core (and system headers)"
	[lib]="lib includes only lib and core"
	[hw]="hw includes only hw, lib and core"
	[sim]="sim includes only sim, lib, core and the hardware interface hw/hw.h"
	[daemon]="daemon includes anything but ctl"
	[ctl]="ctl includes only ctl and lib (core through lib)"
)

# check_tree ROOT: ROOT/src as the source tree. Prints one line per broken
# include (FILE:LINE relative to ROOT) and a last line "FILES INCLUDES",
# the counts it looked at.
check_tree() {
	local root=$1 files=0 includes=0
	local f rel layer lineno text kind path shown target tlayer tfile ok allowed src_dir
	src_dir=$(realpath -m "$root/src")
	while IFS= read -r f; do
		files=$((files + 1))
		rel=${f#"$root"/}
		layer=${rel#src/}
		layer=${layer%%/*}
		if [[ -z ${RULES[$layer]+set} ]]; then
			echo "$rel: src/$layer is in no layer (add it to RULES in tests/process/test_layers.sh)"
			continue
		fi
		while IFS=: read -r lineno text; do
			[[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\<\"])([^\>\"]+)[\>\"] ]] || continue
			includes=$((includes + 1))
			kind=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]}
			if [[ $kind == '"' ]]; then shown="\"$path\""; else shown="<$path>"; fi
			target=
			if [[ $kind == '"' && -f $(dirname "$f")/$path ]]; then
				target=$(realpath -m "$(dirname "$f")/$path")
			elif [[ -f $root/src/$path ]]; then
				target=$(realpath -m "$root/src/$path")
			else
				continue        # a system header
			fi
			if [[ $target != "$src_dir"/* ]]; then
				echo "$rel:$lineno: #include $shown: outside src/ (${SAYS[$layer]})"
				continue
			fi
			tfile=${target#"$src_dir"/}
			tlayer=${tfile%%/*}
			ok=false
			for allowed in ${RULES[$layer]}; do
				if [[ $allowed == "$tlayer" || $allowed == "$tfile" ]]; then
					ok=true
					break
				fi
			done
			$ok || echo "$rel:$lineno: #include $shown ($tfile): ${SAYS[$layer]}"
		done < <(grep -n 'include' "$f")
	done < <(find "$root/src" -type f \( -name '*.c' -o -name '*.h' \) | sort)
	echo "$files $includes"
}

failures=0 checks=0
check() {
	checks=$((checks + 1))
	if [[ $1 == ok ]]; then echo "ok   $2"; else echo "FAIL $2"; failures=$((failures + 1)); fi
}

# --- The checker against known answers ------------------------------------
t=$TMP/tree
mkdir -p "$t"/src/{core,lib,hw,sim,daemon,ctl,extra}
touch "$t"/src/core/{pid,limits}.h "$t"/src/lib/log.h "$t"/src/hw/{hw,hw_real}.h \
	"$t"/src/sim/plant.h "$t"/src/daemon/daemon.h "$t"/src/ctl/json.h
cat >"$t/src/core/pid.c" <<'EOF'
#include <stdio.h>
#include <limits.h>
#include "limits.h"
#include "pid.h"
#include "../lib/log.h"
#include "lib/log.h"
  #  include <lib/log.h>
#include "hw/hw.h" /* a comment */
EOF
cat >"$t/src/lib/log.c" <<'EOF'
#include "log.h"
#include "core/pid.h"
#include "../core/limits.h"
#include "hw/hw.h"
EOF
cat >"$t/src/hw/real.c" <<'EOF'
#include "hw.h"
#include "hw_real.h"
#include "lib/log.h"
#include "core/pid.h"
#include "sim/plant.h"
#include "../daemon/daemon.h"
EOF
cat >"$t/src/sim/hw_sim.c" <<'EOF'
#include "plant.h"
#include "hw/hw.h"
#include "../hw/hw.h"
#include "hw/hw_real.h"
#include "daemon/daemon.h"
EOF
cat >"$t/src/daemon/main.c" <<'EOF'
#include "daemon.h"
#include "sim/plant.h"
#include "hw/hw_real.h"
#include "lib/log.h"
#include "core/pid.h"
#include "ctl/json.h"
#include "../../outside.h"
EOF
touch "$t/outside.h"
cat >"$t/src/ctl/ctl.c" <<'EOF'
#include "json.h"
#include "lib/log.h"
#include "core/pid.h"
#include "../daemon/daemon.h"
EOF
echo '#include "core/pid.h"' >"$t/src/extra/x.c"

cat >"$TMP/want" <<'EOF'
src/core/pid.c:5
src/core/pid.c:6
src/core/pid.c:7
src/core/pid.c:8
src/ctl/ctl.c:3
src/ctl/ctl.c:4
src/daemon/main.c:6
src/daemon/main.c:7
src/extra/x.c
src/hw/real.c:5
src/hw/real.c:6
src/lib/log.c:4
src/sim/hw_sim.c:4
src/sim/hw_sim.c:5
EOF
check_tree "$t" >"$TMP/got"
sed '$d' "$TMP/got" | sed 's/^\([^:]*\(:[0-9]*\)\?\):.*/\1/' | sort >"$TMP/got_where"
if diff "$TMP/want" "$TMP/got_where" >"$TMP/diff"; then
	check ok "the checker finds exactly the 14 bad includes of a made-up tree, good ones beside them in every form (\"x.h\", \"../x/y.h\", \"x/y.h\", <x/y.h>)"
else
	check fail "the checker on a made-up tree: wanted < found >:"
	sed 's/^/    /' "$TMP/diff"
	sed '$d' "$TMP/got" | sed 's/^/    /'
fi
if grep -q 'src/core/pid.c:5: #include "../lib/log.h" (lib/log.h): core includes only core' "$TMP/got"; then
	check ok "a broken include is named by FILE:LINE, the include, the file it is, and the rule"
else
	check fail "the message for src/core/pid.c:5 does not say FILE:LINE, the file and the rule:"
	grep 'pid.c:5' "$TMP/got" | sed 's/^/    /'
fi

# --- The real tree ------------------------------------------------------------
check_tree . >"$TMP/real"
read -r n_files n_includes < <(tail -n 1 "$TMP/real")
sed '$d' "$TMP/real" >"$TMP/broken"
# A checker that reads nothing would pass on nothing.
if ((n_files >= 50 && n_includes >= 200)); then
	check ok "read $n_files files under src/ and $n_includes include lines"
else
	check fail "read only $n_files files and $n_includes include lines under src/: has the tree moved?"
fi
if [[ ! -s $TMP/broken ]]; then
	check ok "every include under src/ keeps to the layers"
else
	check fail "includes that break the layers:"
	sed 's/^/    /' "$TMP/broken"
fi

echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
