#!/usr/bin/env bash
# contrastctl without a daemon: usage errors (exit 1), an unreachable daemon
# (exit 2, naming the socket), and where the socket path comes from (--socket,
# the config's [daemon] socket, the default). Round trips with a running
# daemon are in test_control.sh.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTCTL"
C=$CONTRASTCTL

expect "no command" 1 'a command is needed' -- "$C"
expect "unknown command" 1 "unknown command 'reboot'" -- "$C" reboot
expect "status takes no argument" 1 'status takes no argument' -- "$C" status now
expect "start, two programs" 1 'usage: start \[PROGRAM\]' -- "$C" start a b
expect "start, a name that would be two commands" 1 'is not a program name' -- "$C" start $'x\nstop'
expect "start, a name with a blank" 1 'is not a program name' -- "$C" start 'a b'
expect "log 0" 1 'N from 1 to 100' -- "$C" log 0
expect "log 101" 1 'N from 1 to 100' -- "$C" log 101
expect "log x" 1 'N from 1 to 100' -- "$C" log x
expect "-c and --socket" 1 'exclude each other' -- "$C" -c /dev/null --socket /x status
expect "unknown option" 1 'usage: contrastctl' -- "$C" --frobnicate status
expect "--help" 0 'usage: contrastctl' -- "$C" --help
expect "--version" 0 '^contrastctl [0-9]' -- "$C" --version

expect "no socket" 2 "contrastd is not running \(no socket at $TMP/none.sock\)" -- \
	"$C" --socket "$TMP/none.sock" status
# A socket file nobody listens on (a daemon that died).
expect "python3 makes the dead socket (Debian package python3)" 0 '' -- \
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$TMP/dead.sock"
expect "a dead socket" 2 "contrastd is not running \(nothing listens on $TMP/dead.sock\)" -- \
	"$C" --socket "$TMP/dead.sock" stop

# The socket path from the config file: only [daemon] socket is read.
cat >"$TMP/c.conf" <<CONF
[zone left]
socket = /not/this/one.sock ; a key of another section
[daemon]
socket = $TMP/from-config.sock   ; a comment
CONF
expect "socket from -c FILE" 2 "no socket at $TMP/from-config.sock\)" -- "$C" -c "$TMP/c.conf" status
expect "socket from --config FILE" 2 "no socket at $TMP/from-config.sock\)" -- "$C" --config "$TMP/c.conf" status
printf '[daemon]\nstate_dir = /var/lib/x\n' >"$TMP/nosocket.conf"
expect "config without socket: the default" 2 'no socket at /run/contrastd/control.sock\)' -- \
	"$C" -c "$TMP/nosocket.conf" status
expect "a config that cannot be read" 1 "$TMP/missing.conf: No such file or directory" -- \
	"$C" -c "$TMP/missing.conf" status
printf '[daemon\nsocket = /x\n' >"$TMP/broken.conf"
expect "a config that does not parse" 1 "$TMP/broken.conf:1: cannot parse" -- "$C" -c "$TMP/broken.conf" status
mkdir -p "$TMP/confdir"
expect "a config path that is a directory: exit 1, as contrastd" 1 "$TMP/confdir: a directory, not a config file" -- \
	"$C" -c "$TMP/confdir" status
expect "contrastd says the same of a directory" 1 "$TMP/confdir: not a regular file \(a directory\)" -- \
	"${CONTRASTD:-build/contrastd}" -c "$TMP/confdir" --check-config

# Permission denied names who may use the socket: its real owner and group.
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null 2>&1; then
	mkdir -m 0755 "$TMP/pub"
	python3 -c 'import socket,sys,os; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o660)' \
		"$TMP/pub/root.sock"
	chmod 0755 "$TMP"
	expect "permission denied: the socket's group, not a guess" 2 \
		"$TMP/pub/root.sock: permission denied \(it belongs to user root, group root: run as root or as a member of group root\)" -- \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$C" --socket "$TMP/pub/root.sock" status
	chmod 0700 "$TMP"
fi

finish
