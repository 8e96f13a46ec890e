#!/usr/bin/env bash
# SIGHUP with a good and a bad config, a reload while a session runs, and
# a safety fault acknowledged over the socket: the real daemon
# (--simulate, idle until told) with contrastctl.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
sock=$TMP/control.sock
conf=$TMP/c.conf
private_config >"$conf"
C=("$CONTRASTCTL" -c "$conf")

# loop-stall at 40 simulated s (2 s of wall time at speed 20): a transient fault.
"$CONTRASTD" -c "$conf" --simulate --speed 20 --inject loop-stall@40 >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$sock" "$TMP/err"

expect "programs before the reload" 0 '^short' -- "${C[@]}" programs
expect "a session runs" 0 '^started: program default' -- "${C[@]}" start

# While it runs: a valid new config waits for the session to end.
{ private_config; printf '\n[program extra]\nwarm_c = 37\ncool_c = 24\n'; } >"$conf"
kill -HUP $pid
sleep 0.5
expect "a valid reload waits for the session" 0 'applies when this session ends' -- cat "$TMP/err"
expect "the running session keeps its setpoint" 0 'left +39\.0 C' -- "${C[@]}" status
expect "status shows the reload pending" 0 '^reload: +valid .*applies when this session ends' -- "${C[@]}" status
expect "status --json: reload pending" 0 '"reload":\{"result":"pending","at":"[0-9-]+T[0-9:]+Z","message":null\}' -- \
	"${C[@]}" --json status
expect "programs says new ones are pending" 0 'a reloaded configuration is pending' -- "${C[@]}" programs
# A broken file now: refused, and the valid one before it still waits for the session.
cp "$conf" "$TMP/valid.conf"
printf '[programme]\n' >>"$conf"
kill -HUP $pid
sleep 0.2
expect "a broken reload after a valid one: failed, the valid one still pending" 0 \
	"^reload: +FAILED .*unknown section \\[programme\\]: did you mean \\[program\\]\\? \\(the earlier valid reload still applies when this session ends\\)" -- \
	"${C[@]}" status
cp "$TMP/valid.conf" "$conf"

# The injected stall trips loop-overrun: outputs off, fault latched.
sleep 2.5
expect "the stall ended the session as a fault" 0 '^state: +fault' -- "${C[@]}" status
expect "status names the fault" 0 'loop-overrun' -- "${C[@]}" status
expect "the new config is in force after the session" 0 '^extra' -- "${C[@]}" programs
expect "status: the reload applied" 0 '^reload: +applied at ' -- "${C[@]}" status
expect "a start is refused while the fault is latched" 3 'refused: .*fault latched' -- "${C[@]}" start
# The cause cleared (readings fine for 5 simulated s = 0.25 s here): the ack returns to idle.
sleep 1
expect "ack" 0 'idle' -- "${C[@]}" ack
expect "idle after the ack" 0 '^state: +idle' -- "${C[@]}" status
expect "the ack is logged" 0 'fault acknowledged .*uid [0-9]+' -- cat "$TMP/err"

# An invalid config: FILE:LINE in the log, the old config stays, the daemon lives.
private_config | sed 's/^warm_c = 39$/warm_c = 52/' >"$conf"
line=$(grep -n '^warm_c = 52$' "$conf" | cut -d: -f1)
kill -HUP $pid
sleep 0.5
expect "a bad reload is logged with FILE:LINE" 0 "c.conf:$line: warm_c = 52 is above the hard limit of 43; keeping the configuration in force" -- cat "$TMP/err"
expect "the old config stays" 0 '^extra' -- "${C[@]}" programs
expect "status: the reload failed, with FILE:LINE" 0 \
	"^reload: +FAILED at .*: $conf:$line: warm_c = 52 is above the hard limit of 43; the configuration in force is unchanged" -- \
	"${C[@]}" status
expect "status --json: the failure" 0 "\"reload\":\\{\"result\":\"failed\",\"at\":\"[^\"]+\",\"message\":\"$conf:$line: warm_c = 52" -- \
	"${C[@]}" --json status
expect "the daemon is alive and idle" 0 '^state: +idle' -- "${C[@]}" status

# A change only a restart can apply (a zone's line) is refused, named.
private_config | sed 's/^heat = GPIO17$/heat = GPIO4/' >"$conf"
kill -HUP $pid
sleep 0.5
expect "a line change needs a restart" 0 "changes a zone's name, lines or sensors, which only a restart can apply" -- cat "$TMP/err"
expect "still the old config" 0 '^extra' -- "${C[@]}" programs
expect "status: a restart-only change failed the reload" 0 "^reload: +FAILED .*only a restart can apply" -- "${C[@]}" status

# ExecReload checks the file first: systemctl reload fails on a broken file.
checks=$((checks + 1))
if grep -A1 -- '^ExecReload=@SBINDIR@/contrastd --check-config -c @SYSCONFDIR@/contrastd/contrastd.conf$' \
	systemd/contrastd.service.in | grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$'; then
	echo "ok   the unit's ExecReload runs --check-config before the HUP"
else
	echo "FAIL the unit's ExecReload does not run contrastd --check-config before kill -HUP"
	failures=$((failures + 1))
fi
private_config | sed 's/^warm_s = 240$/warm_s = 4m/' >"$TMP/broken.conf"
expect "what ExecReload runs fails on a broken file, FILE:LINE" 1 "broken.conf:[0-9]+: warm_s = 4m: give it in seconds" -- \
	"$CONTRASTD" --check-config -c "$TMP/broken.conf"

kill -TERM $pid
wait $pid
rc=$?
expect "SIGTERM: exit 0" 0 '' -- test $rc -eq 0
finish
