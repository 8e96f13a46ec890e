# Helpers for the process tests: run the real binary, check exit code and output.
# Sourced, not run (the runner only runs test_*.sh).
set -u
CONTRASTD=${CONTRASTD:-build/contrastd}
CONTRASTD_SAN=${CONTRASTD_SAN:-build/contrastd-san}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

# expect NAME WANT_RC PATTERN -- COMMAND...: runs COMMAND, checks the exit
# code and that stdout+stderr match the extended regex PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	checks=$((checks + 1))
	if [[ $rc -ne $want ]]; then
		echo "FAIL $name: exit $rc, wanted $want"
		echo "$out" | sed 's/^/    /' | tail -n 15
		failures=$((failures + 1))
	elif ! grep -Eq -- "$pattern" <<<"$out"; then
		echo "FAIL $name: output does not match /$pattern/"
		echo "$out" | sed 's/^/    /' | tail -n 15
		failures=$((failures + 1))
	else
		echo "ok   $name"
	fi
}

finish() {
	echo "$((checks - failures)) passed, $failures failed"
	[[ $failures -eq 0 ]]
}

# private_config: the example config on stdout, with its control socket and
# state directory moved under $TMP (so tests never touch /run or /var/lib).
private_config() {
	sed -e '/^[[:space:]]*\(socket\|state_dir\)[[:space:]]*[=:]/d' \
		-e "s|^\[daemon\]|[daemon]\nstate_dir = $TMP/state\nsocket = $TMP/control.sock|" config/contrastd.conf
}

# count_checks FILE: echo the "ok"/"FAIL" lines a python harness wrote and count them.
count_checks() {
	local l
	while IFS= read -r l; do
		echo "$l"
		checks=$((checks + 1))
		[[ $l == FAIL* ]] && failures=$((failures + 1))
		[[ $l == Traceback* ]] && failures=$((failures + 1))
	done <"$1"
}

# require_built BINARY...: a binary the test runs is missing: fail (never skip).
require_built() {
	local b
	for b in "$@"; do
		if [[ ! -x $b ]]; then
			echo "FAIL: $b is not built"
			exit 1
		fi
	done
}

# wait_for_socket SOCKET [ERRFILE]: wait up to 5 s for a daemon's control
# socket; when it does not come, fail and show ERRFILE (the daemon's stderr).
wait_for_socket() {
	local sock=$1 err=${2:-}
	for _ in $(seq 50); do
		[[ -S $sock ]] && return 0
		sleep 0.1
	done
	echo "FAIL: no socket at $sock after 5 s"
	[[ -n $err ]] && sed 's/^/    /' "$err"
	exit 1
}
