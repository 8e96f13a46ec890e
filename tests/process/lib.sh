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

# run_on_private_sys_bus HARNESS: run a tests/hw harness (it builds its
# fake IIO tree under /sys/bus) in a private mount namespace with a tmpfs on
# /sys/bus, under SCHED_FIFO where the machine allows it (its timing checks
# are about contrastd's design, not about how busy the other processes on a
# shared build machine keep the scheduler). Returns the harness's status,
# or 77 with "skip: ..." on stderr where no such namespace can be made.
run_on_private_sys_bus() {
	local harness=$1 why
	local rt=()

	if ! why=$(unshare -m mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
		echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace (unshare -m): $why" >&2
		return 77
	fi
	require_built "$harness"
	if chrt -f 10 true 2>/dev/null; then
		rt=(chrt -f 10)
	else
		echo "note: SCHED_FIFO is not permitted here: the timing runs at normal priority"
	fi
	# shellcheck disable=SC2016
	unshare -m bash -c '
		if ! why=$(mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
			echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace: $why" >&2
			exit 77
		fi
		exec "$@"
	' _ "${rt[@]}" "$harness"
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
