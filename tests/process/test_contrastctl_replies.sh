#!/usr/bin/env bash
# contrastctl against a fake contrastd (a python3 socket server that answers
# each connection with one canned line): replies that are not the protocol
# are refused (exit 2, naming why), refusals print their reason (exit 3),
# and fields that are missing, null or of the wrong type print as "--" or
# "?" instead of a made-up number or a crash. Needs python3 (in the
# Makefile's package list).
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTCTL"
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 is not installed (make deps installs it)"
	exit 1
fi
sock=$TMP/fake.sock
reply=$TMP/reply

# Serves connections until killed: reads one line, answers with the file's bytes.
python3 - "$sock" "$reply" <<'PY' &
import os, socket, sys
path, reply = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(4)
while True:
    c, _ = srv.accept()
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = c.recv(4096)
        if not chunk:
            break
        buf += chunk
    with open(reply, "rb") as f:
        c.sendall(f.read())
    c.close()
PY
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$sock"

# answer TEXT: the fake's next replies are TEXT and a newline.
answer() { printf '%s\n' "$1" >"$reply"; }
C=("$CONTRASTCTL" --socket "$sock")

answer '[1,2]'
expect "an array" 2 'not its protocol \(not an object\)' -- "${C[@]}" status
answer '{}'
expect "no ok" 2 'not its protocol \(no "ok"\)' -- "${C[@]}" status
answer '{"ok":true} x'
expect "text after the object" 2 'not its protocol \(at byte 12: ' -- "${C[@]}" status
answer "{'ok':true}"
expect "single quotes" 2 'not its protocol \(at byte 1: ' -- "${C[@]}" status
answer '{"ok":true,"status":{"state":"idle"'
expect "cut short" 2 'not its protocol \(at byte [0-9]+: ' -- "${C[@]}" status
answer 'not json at all'
expect "not JSON" 2 'not its protocol .*: not json at all' -- "${C[@]}" stop

answer '{"ok":false}'
expect "a refusal without a reason" 3 'contrastd refused: \(no reason given\)' -- "${C[@]}" stop
answer '{"ok":false,"error":"a session is running already"}'
expect "a refusal" 3 'contrastd refused: a session is running already' -- "${C[@]}" start
expect "a refusal, --json: the line as it came" 3 '^\{"ok":false,"error":"a session is running already"\}$' -- \
	"${C[@]}" --json start
# Nothing to stop, nothing to acknowledge: the wish is already true (as systemctl stop).
answer '{"ok":false,"error":"no session is running"}'
expect "stop with nothing to stop: exit 0" 0 '^nothing to do: no session is running$' -- "${C[@]}" stop
expect "stop with nothing to stop, --json: the line as it came, exit 0" 0 \
	'^\{"ok":false,"error":"no session is running"\}$' -- "${C[@]}" --json stop
expect "another command's refusal in the same words is a refusal" 3 'contrastd refused' -- "${C[@]}" ack
answer '{"ok":false,"error":"no fault to acknowledge"}'
expect "ack with nothing latched: exit 0" 0 '^nothing to do: no fault to acknowledge$' -- "${C[@]}" ack
answer '{"ok":false,"error":"the cause has not cleared yet (x)"}'
expect "ack too early: a refusal" 3 'contrastd refused: the cause has not cleared yet' -- "${C[@]}" ack
answer '{"ok":"yes"}'
expect "ok that is not a boolean: not done" 3 'contrastd refused' -- "${C[@]}" stop

answer '{"ok":true,"status":null}'
expect "status without a status" 2 'the reply holds no status' -- "${C[@]}" status
answer '{"ok":true,"status":{"state":"running","program":"evening","phase":7,"cycle":"x","zones":[{"name":"left","pad_c":null,"pad_status":"open","heatsink_c":"hot","duty":null,"fan":1}]}}'
expect "status with odd fields: running" 0 '^state: +running, program evening' -- "${C[@]}" status
expect "status with odd fields: no made-up numbers" 0 '^phase: +\?, cycle nan of nan' -- "${C[@]}" status
expect "status with odd fields: the zone" 0 '^left +-- +open +-- +-- +0% +off$' -- "${C[@]}" status
answer '{"ok":true,"status":{"state":"fault","fault":{"description":"over-temperature in zone left","ack_possible":true}}}'
expect "a fault that can be acknowledged" 0 'ack: +the cause has cleared' -- "${C[@]}" status
answer '{"ok":true,"status":{"state":"idle"}}'
expect "ack done" 0 '^fault acknowledged; contrastd is idle$' -- "${C[@]}" ack
expect "stop done" 0 '^stopped$' -- "${C[@]}" stop
expect "start: the name asked for when the reply has none" 0 '^started: program evening$' -- \
	"${C[@]}" start evening
answer '{"ok":true,"sessions":[]}'
expect "an empty log" 0 '^no sessions recorded yet$' -- "${C[@]}" log 3
answer '{"ok":true,"programs":"not a list"}'
expect "programs that are not a list" 0 '^\(\* the default program' -- "${C[@]}" programs
answer "{\"ok\":true,\"sessions\":[{\"started\":\"2026-11-25T23:15:00Z\",\"program\":\"default\",\"result\":\"fault\",\"duration_s\":61,\"cycles_done\":0,\"zones\":[{\"name\":\"left\",\"max_pad_c\":43.2,\"min_pad_c\":33,\"time_in_band_pct\":12.5}],\"fault\":{\"kind\":\"over-temperature\",\"zone\":\"left\",\"at_s\":60.9}}]}"
expect "a session ended by a fault" 0 'default +fault +1:01 +0  left 43.2/33.0 C 12%; fault over-temperature in left at 61 s$' -- \
	"${C[@]}" log

finish
