#!/usr/bin/env bash
# The config reader has bounds (issue 13, item 7): only a regular file,
# at most 1 MiB, and it stops at the first line over its limit. Neither
# contrastd -c nor a SIGHUP can be made to wait on /dev/zero or a FIFO.
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

expect "-c /dev/zero: not a regular file, at once" 1 "/dev/zero: not a regular file \(a character device\)" -- \
	timeout 5 $CONTRASTD -c /dev/zero --check-config
mkfifo "$TMP/fifo"
expect "-c FIFO: not a regular file, never waited on" 1 "fifo: not a regular file \(a FIFO\)" -- \
	timeout 5 $CONTRASTD -c "$TMP/fifo" --check-config
expect "-c a directory" 1 "$TMP: not a regular file \(a directory\)" -- timeout 5 $CONTRASTD -c "$TMP" --check-config
head -c 2000000 /dev/zero | tr '\0' ';' >"$TMP/big.conf"
expect "a 2 MB file: refused unread" 1 "big.conf: 2000000 bytes, larger than 1048576 bytes" -- \
	timeout 5 $CONTRASTD -c "$TMP/big.conf" --check-config
{ printf '[daemon]\n'; head -c 900000 /dev/zero | tr '\0' 'x'; printf '\n'; } >"$TMP/long.conf"
expect "a 900 kB line: FILE:LINE: line too long" 1 "long.conf:2: line too long \(more than [0-9]+ characters\)" -- \
	timeout 5 $CONTRASTD -c "$TMP/long.conf" --check-config
expect "--safe-off on /dev/zero: at once, the lines it knows" 2 "/dev/zero: not a regular file" -- \
	timeout 5 $CONTRASTD -c /dev/zero --safe-off

# SIGHUP with the file swapped for a FIFO: the loop goes on, the old config stays.
private_config >"$TMP/good.conf"
ln -s "$TMP/good.conf" "$TMP/c.conf"
$CONTRASTD -c "$TMP/c.conf" --simulate --speed 20 >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do
	[[ -S $TMP/control.sock ]] && break
	sleep 0.1
done
ln -sf "$TMP/fifo" "$TMP/c.conf"
kill -HUP $pid
sleep 0.5
expect "SIGHUP with a FIFO for a config: the daemon still answers" 0 '^state: +idle' -- \
	timeout 5 $CONTRASTCTL -c "$TMP/good.conf" status
expect "... and says why it kept the old config" 0 "SIGHUP: .*c.conf: not a regular file \(a FIFO\); keeping" -- cat "$TMP/err"
ln -sf /dev/zero "$TMP/c.conf"
kill -HUP $pid
sleep 0.5
expect "SIGHUP with /dev/zero for a config: the daemon still answers" 0 '^state: +idle' -- \
	timeout 5 $CONTRASTCTL -c "$TMP/good.conf" status
kill -TERM $pid
wait $pid
finish
