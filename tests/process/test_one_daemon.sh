#!/usr/bin/env bash
# One daemon per state_dir and per socket (issue 13, item 2): a second
# contrastd with the same config exits 1 naming the first one's PID; a
# socket path that is taken, a regular file or a symlink is exit 1 (never
# "running without the control socket" and READY=1); a stale socket of a
# dead daemon is replaced.
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

private_config >"$TMP/c.conf"
sock=$TMP/control.sock

wait_socket() {
	for _ in $(seq 50); do
		[[ -S $1 ]] && return 0
		sleep 0.1
	done
	return 1
}

$CONTRASTD -c "$TMP/c.conf" --simulate --speed 20 >"$TMP/first.out" 2>&1 &
first=$!
trap 'kill -9 $first 2>/dev/null; rm -rf "$TMP"' EXIT
wait_socket "$sock" || { echo "FAIL: the first daemon made no socket"; cat "$TMP/first.out"; exit 1; }

expect "a second daemon, same config: exit 1, the first one's PID named" 1 "another contrastd \(pid $first\) holds .*contrastd.lock" -- \
	timeout 10 $CONTRASTD -c "$TMP/c.conf" --simulate --speed 20
expect "the first still answers" 0 '^state: +idle' -- $CONTRASTCTL -c "$TMP/c.conf" status

# Another state_dir, the same socket: the socket is taken.
sed "s|^state_dir = .*|state_dir = $TMP/state2|" "$TMP/c.conf" >"$TMP/other-state.conf"
expect "same socket, another state_dir: exit 1, the socket named" 1 "control socket $sock: another process listens on it" -- \
	timeout 10 $CONTRASTD -c "$TMP/other-state.conf" --simulate --speed 20
kill -TERM $first
wait $first

# The socket path is a regular file, then a symlink: exit 1, not touched.
sed "s|^socket = .*|socket = $TMP/file.sock|" "$TMP/c.conf" >"$TMP/file.conf"
echo keep >"$TMP/file.sock"
expect "socket path is a regular file: exit 1" 1 "file.sock: the path exists and is not a socket" -- \
	timeout 10 $CONTRASTD -c "$TMP/file.conf" --simulate --speed 20
expect "... and the file is untouched" 0 '^keep$' -- cat "$TMP/file.sock"
sed "s|^socket = .*|socket = $TMP/link.sock|" "$TMP/c.conf" >"$TMP/link.conf"
ln -s "$TMP/elsewhere" "$TMP/link.sock"
expect "socket path is a symlink: exit 1" 1 "link.sock: the path exists and is not a socket" -- \
	timeout 10 $CONTRASTD -c "$TMP/link.conf" --simulate --speed 20
sed "s|^socket = .*|socket = $TMP/nodir/x.sock|" "$TMP/c.conf" >"$TMP/nodir.conf"
expect "socket in a directory that is a file: exit 1" 1 "x.sock" -- \
	bash -c "touch $TMP/nodir; timeout 10 $CONTRASTD -c $TMP/nodir.conf --simulate --speed 20"

# A stale socket (its daemon killed -9) is replaced.
$CONTRASTD -c "$TMP/c.conf" --simulate --speed 20 >/dev/null 2>&1 &
victim=$!
wait_socket "$sock"
kill -9 $victim
wait $victim 2>/dev/null
checks=$((checks + 1))
if [[ -S $sock ]]; then echo "ok   a killed daemon leaves its socket"; else
	echo "FAIL a killed daemon left no socket (the test needs one)"; failures=$((failures + 1)); fi
$CONTRASTD -c "$TMP/c.conf" --simulate --speed 20 >"$TMP/second.out" 2>&1 &
first=$!
wait_socket "$sock"
sleep 0.3
expect "a stale socket is replaced: the new daemon answers" 0 '^state: +idle' -- $CONTRASTCTL -c "$TMP/c.conf" status
kill -TERM $first
wait $first
finish
