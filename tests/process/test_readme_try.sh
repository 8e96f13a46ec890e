#!/usr/bin/env bash
# README's "Try it with contrastctl", run as written (paths moved under a
# temp directory): the daemon makes its socket's missing directory (0755),
# contrastctl starts a session and follows it. And the other side of the
# rule: a socket the daemon cannot have is exit 1 with the reason, never a
# daemon running without it.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"

mapfile -t lines < <(sed -n '/BEGIN try-contrastctl/,/END try-contrastctl/p' README.md | grep -v -e '^<!--' -e '^```')
checks=$((checks + 1))
if [[ ${#lines[@]} != 3 ]]; then
	echo "FAIL README's try-contrastctl block has ${#lines[@]} commands, wanted 3"
	exit 1
fi
echo "ok   README's try-contrastctl block: three commands"
# As written, with the temp directory for /tmp/try and try.conf, the built binaries.
subst() {
	sed -e "s|/tmp/try|$TMP/try|g" -e "s|try\.conf|$TMP/try.conf|g" \
		-e "s|build/contrastd |$CONTRASTD |g" -e "s|build/contrastctl |$CONTRASTCTL |g" <<<"$1"
}
cmd1=$(subst "${lines[0]}")
cmd2=$(subst "${lines[1]}")
cmd3=$(subst "${lines[2]}")
cmd2=${cmd2% &}

eval "$cmd1"
expect "the config it makes is valid" 0 'valid' -- "$CONTRASTD" -c "$TMP/try.conf" --check-config
eval "$cmd2 >$TMP/out 2>$TMP/err &"
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$TMP/try/control.sock" "$TMP/err"
expect "the daemon made the directory for its socket and records" 0 "listening on $TMP/try/control.sock" -- cat "$TMP/err"
# The third line follows for ever: three seconds of it.
timeout -s INT 3 bash -c "$cmd3" >"$TMP/follow" 2>&1
expect "start, then status --follow: a line a second" 0 'running' -- cat "$TMP/follow"
checks=$((checks + 1))
n=$(grep -c 'warm 1/5' "$TMP/follow")
if ((n >= 2)); then
	echo "ok   --follow printed $n status lines in 3 s"
else
	echo "FAIL --follow printed $n status lines in 3 s"
	sed 's/^/    /' "$TMP/follow"
	failures=$((failures + 1))
fi
kill -TERM $pid
wait $pid
expect "the daemon stops on SIGTERM" 0 'SIGTERM' -- cat "$TMP/err"

# The socket's own directory, missing: made, mode 0755 (the records are elsewhere).
sed "s|^\\[daemon\\]$|&\\nsocket = $TMP/run/sub/control.sock\\nstate_dir = $TMP/state|" config/contrastd.conf >"$TMP/run.conf"
"$CONTRASTD" -c "$TMP/run.conf" --simulate >"$TMP/out2" 2>"$TMP/err2" &
pid2=$!
wait_for_socket "$TMP/run/sub/control.sock" "$TMP/err2"
expect "the daemon made the socket's directories, mode 0755" 0 '^755 755$' -- \
	bash -c "stat -c %a '$TMP/run' '$TMP/run/sub' | paste -sd ' '"
expect "the daemon says it made them" 0 "created the directory $TMP/run/sub \\(mode 0755\\)" -- cat "$TMP/err2"
expect "contrastctl reaches it there" 0 '^state: +idle' -- "$CONTRASTCTL" -c "$TMP/run.conf" status
kill -TERM $pid2
wait $pid2

# A socket it cannot have: exit 1, why, and no daemon left running.
touch "$TMP/file"
sed "s|^\\[daemon\\]$|&\\nsocket = $TMP/file/control.sock\\nstate_dir = $TMP/state|" config/contrastd.conf >"$TMP/bad.conf"
expect "a socket path it cannot bind: exit 1 with the reason" 1 \
	"control socket $TMP/file/control.sock: .*Not a directory; contrastd does not run without its control socket" -- \
	timeout 10 "$CONTRASTD" -c "$TMP/bad.conf" --simulate
mkdir -m 0500 "$TMP/ro"
sed "s|^\\[daemon\\]$|&\\nsocket = $TMP/ro/sub/control.sock\\nstate_dir = $TMP/state|" config/contrastd.conf >"$TMP/ro.conf"
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null 2>&1; then
	chmod 0755 "$TMP"
	# Its state_dir is its own (one daemon per state_dir is checked first): the socket's is what fails.
	mkdir -p "$TMP/state"
	chown -R nobody "$TMP/state"
	chmod 0750 "$TMP/state"
	expect "a directory it cannot make: exit 1, naming it" 1 \
		"control socket $TMP/ro/sub/control.sock: creating the directory $TMP/ro/sub: Permission denied" -- \
		timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$CONTRASTD" -c "$TMP/ro.conf" --simulate
	chmod 0700 "$TMP"
fi

finish
