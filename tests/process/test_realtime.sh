#!/usr/bin/env bash
# [daemon] realtime = yes: the daemon's control loop runs SCHED_FIFO at
# priority 10 with its memory locked (/proc/PID/stat policy and rt_priority,
# /proc/PID/status VmLck); realtime = no (the default) leaves both alone.
# Without the privilege (not root, no RLIMIT_RTPRIO) it must say why and go
# on at normal priority, the socket answering.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"

# policy_of PID: "POLICY RT_PRIORITY" from /proc/PID/stat (fields 41 and 40).
policy_of() {
	local stat
	stat=$(<"/proc/$1/stat")
	stat=${stat##*) }
	# After "comm)", field 3 is the first: policy is field 41, rt_priority 40.
	set -- $stat
	echo "${39} ${38}"
}

run_with() {        # run_with yes|no: starts the daemon, sets pid
	private_config | sed -e "s|^\[daemon\]|[daemon]\nrealtime = $1|" >"$TMP/c.conf"
	"$CONTRASTD" -c "$TMP/c.conf" --simulate --speed 1 >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	wait_for_socket "$TMP/control.sock" "$TMP/err"
}

stop() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$TMP/control.sock"
}
trap 'kill $pid 2>/dev/null; rm -rf "$TMP"' EXIT

run_with no
read -r policy prio < <(policy_of "$pid")
checks=$((checks + 1))
if [[ $policy == 0 ]]; then echo "ok   realtime = no: SCHED_OTHER"; else
	echo "FAIL realtime = no: policy $policy"; failures=$((failures + 1)); fi
stop

run_with yes
read -r policy prio < <(policy_of "$pid")
locked=$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")
checks=$((checks + 1))
if [[ $policy == 1 && $prio == 10 && $locked -gt 0 ]]; then
	echo "ok   realtime = yes: SCHED_FIFO at priority 10, $locked kB locked"
elif [[ $policy == 0 ]] && grep -q 'realtime = yes: .*running at normal priority' "$TMP/err"; then
	echo "ok   realtime = yes without the privilege: $(grep -o 'realtime = yes: .*' "$TMP/err")"
else
	echo "FAIL realtime = yes: policy $policy priority $prio, VmLck $locked kB"
	sed 's/^/    /' "$TMP/err"
	failures=$((failures + 1))
fi
expect "the socket answers" 0 '^state: +idle' -- "$CONTRASTCTL" -c "$TMP/c.conf" status
stop
finish
