#!/usr/bin/env bash
# The live view and the morning after, with the real daemon (--simulate,
# idle until told) and contrastctl: status --follow as a stream of changing
# readings, piped and as JSON, ended by Ctrl-C with exit 0; then, with the
# daemon gone, plot draws each recorded session as an SVG that parses as
# XML and holds each pad's temperature and setpoint, the phases and, for a
# session a fault ended, the fault where it happened.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"
conf=$TMP/c.conf
# With a status light on a free line.
private_config | sed 's/^line = GPIO26$/&\nled = GPIO4/' >"$conf"
C=("$CONTRASTCTL" -c "$conf")

# loop-stall at 400 simulated s: the second session ends in a fault (loop-overrun).
"$CONTRASTD" -c "$conf" --simulate --speed 20 --inject loop-stall@400 >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$TMP/control.sock" "$TMP/err"

expect "--follow goes with status only" 1 '--follow goes with status only' -- "${C[@]}" --follow programs
expect "the light is off while idle" 0 '"led":"off"' -- "${C[@]}" --json status
expect "a session of the short program" 0 '^started: program short' -- "${C[@]}" start short
expect "the light is steady in a session" 0 '"led":"steady"' -- "${C[@]}" --json status
expect "status names it" 0 '^light: +steady$' -- "${C[@]}" status

# Piped: a line a second until Ctrl-C, then exit 0.
"${C[@]}" status --follow >"$TMP/follow" 2>&1 &
fpid=$!
sleep 3.5
kill -INT $fpid
wait $fpid
expect "--follow: Ctrl-C ends it with exit 0" 0 '' -- test $? -eq 0
expect "--follow: phase, time left, each pad's temperature and setpoint, duty" 0 \
	'^[0-9:]{8}  running short  (warm|cool) [12]/2  phase [0-9]+:[0-9]{2} left.*\|  left: pad [0-9.]+ C, setpoint [0-9.]+ C, duty [-+][0-9]+%  \|  right: pad [0-9.]+ C, setpoint' -- \
	cat "$TMP/follow"
expect "--follow: a line a second" 0 '^[34]$' -- bash -c "wc -l <'$TMP/follow'"
# Fresh each second: every line differs from the one before in what the
# daemon reports (time left, pads, duty), the wall-clock time left out; the
# pads alone may already hold their setpoint to the tenth of a degree.
expect "--follow: the readings change from line to line" 0 '^ok' -- python3 -c '
import sys
rest = [l.split(None, 1)[1] for l in open(sys.argv[1])]
assert len(rest) >= 3 and all(a != b for a, b in zip(rest, rest[1:])), rest
print("ok")' "$TMP/follow"

# --json: the reply line each second, as scripts read it.
timeout -s INT 2.5 "${C[@]}" --json status --follow >"$TMP/follow.json"
expect "--follow --json: each line a status reply" 0 '^ok' -- python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 2 and all(l["ok"] and l["status"]["state"] == "running" for l in lines), lines
assert len({l["status"]["session_s"] for l in lines}) == len(lines)
print("ok", len(lines))' "$TMP/follow.json"

# Let the short program end (3:00 nominal: 9 s here), then one the stall ends.
for _ in $(seq 150); do grep -q 'session completed' "$TMP/err" && break; sleep 0.2; done
expect "the first session completed" 0 'session completed' -- cat "$TMP/err"
expect "a second session" 0 '^started: program default' -- "${C[@]}" start
for _ in $(seq 150); do grep -q 'session ended by a safety fault' "$TMP/err" && break; sleep 0.2; done
expect "the stall ended it with a fault" 0 'loop-overrun' -- "${C[@]}" status
expect "the light blinks slowly while the fault is latched" 0 '"led":"slow-blink"' -- "${C[@]}" --json status
expect "log shows each session's CSV path" 0 "^ +csv: $TMP/state/sessions/[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\\.csv$" -- "${C[@]}" log

# The morning after: the daemon is gone.
kill -TERM $pid
wait $pid

cd "$TMP" || exit 1
expect "plot: the last session, named after it" 0 '^contrastd-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\.svg: session .* \(program default, fault, ' -- \
	"$OLDPWD/$CONTRASTCTL" -c "$conf" plot
cd "$OLDPWD" || exit 1
expect "plot 2 -o FILE: the one before" 0 "^$TMP/completed.svg: session .*\\(program short, completed, " -- \
	"${C[@]}" plot 2 -o "$TMP/completed.svg"
expect "plot 3: there are two" 1 'holds 2 sessions' -- "${C[@]}" plot 3
expect "plot x: not a number" 1 "'x' is not a session number" -- "${C[@]}" plot x
cp "$conf" "$TMP/bogus.csv"
expect "plot of a CSV that is no record: exit 1, no SVG left" 1 'not a session record' -- "${C[@]}" plot "$TMP/bogus.csv" -o "$TMP/bogus.svg"
expect "... and no half SVG left behind" 1 '' -- test -e "$TMP/bogus.svg"
faulted=$(ls "$TMP"/contrastd-*.svg)
csv=$(ls "$TMP"/state/sessions/*.csv | tail -n 1)

# What is in the pictures, read as XML.
cat >"$TMP/check.py" <<'PY'
import csv, re, sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
path, record, want_fault = sys.argv[1], sys.argv[2], sys.argv[3] == "fault"
root = ET.parse(path).getroot()
def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
check("a viewBox, so it scales to a phone or a desk", root.get("viewBox") == "0 0 1000 640" and root.get("width") == "100%")
check("a title element", root.find("s:title", ns) is not None)
rows = list(csv.DictReader(open(record)))
zones = [k[:-len("_setpoint_c")] for k in rows[0] if k.endswith("_setpoint_c")]
for z in zones:
    g = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.find("s:title", ns) is not None and g.find("s:title", ns).text == z + " pad"]
    check("a group for the %s pad" % z, len(g) == 1)
    pads = g[0].findall("s:polyline[@class='pad']", ns)
    sets = g[0].findall("s:polyline[@class='set']", ns)
    check("%s: its temperature curve" % z, len(pads) >= 1 and sum(len(p.get("points").split()) for p in pads) >= 20)
    check("%s: its setpoint curve" % z, len(sets) >= 1)
    # The curve follows the record: its highest point is the record's warmest reading.
    top = max(float(r[z + "_pad_c"]) for r in rows if r[z + "_pad_c"])
    ys = [float(pt.split(",")[1]) for p in pads for pt in p.get("points").split()]
    ticks = {int(t.text): float(t.get("y")) for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "tick" and t.get("text-anchor") == "end"}
    lo, hi = min(ticks), max(ticks)
    y_of = lambda c: ticks[lo] - 6 + (ticks[hi] - ticks[lo]) * (c - lo) / (hi - lo)
    check("%s: the curve's peak is the record's %.1f C" % (z, top), abs(min(ys) - y_of(top)) < 3)
rects = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find("s:title", ns) is not None]
kinds = {r.find("s:title", ns).text.split()[0] for r in rects}
if want_fault:
    check("the phases it went through shaded", kinds and kinds <= {"warm", "cool"})
else:
    check("the phases shaded, warm and cool", kinds == {"warm", "cool"})
check("axes with units: minutes", any("minutes" in t for t in texts))
check("axes with units: degrees C", any("\u00b0C" in t for t in texts))
check("a legend naming each pad and the setpoint", all(z + " pad" in texts for z in zones) and "setpoint" in texts)
fault = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "fault"]
if want_fault:
    end = [r for r in rows if r["event"].startswith("end fault")]
    t = float(end[0]["t_s"])
    label = [t for t in texts if t.startswith("fault at ")]
    check("the fault marked", len(fault) == 1)
    # Half a second rounds up, as contrastctl's lround does (Python's round() would go to even).
    ts = int(t + 0.5)
    check("at the time the record says (%.1f s)" % t, label == ["fault at %d:%02d" % (ts // 60, ts % 60)])
    line = fault[0].find("s:line", ns)
    x0 = min(float(p.get("points").split()[0].split(",")[0]) for p in root.iter("{http://www.w3.org/2000/svg}polyline"))
    x1 = max(float(p.get("points").split()[-1].split(",")[0]) for p in root.iter("{http://www.w3.org/2000/svg}polyline"))
    tmax = float(rows[-1]["t_s"])
    check("the fault line where it happened", abs(float(line.get("x1")) - (x0 + (x1 - x0) * t / tmax)) < 2)
    check("the title says a fault ended it", any(t.startswith("Ended by a safety fault") for t in texts))
else:
    check("no fault marked", not fault)
    check("the title says it completed", any(t.startswith("Completed after") for t in texts))
PY
python3 "$TMP/check.py" "$faulted" "$csv" fault >"$TMP/checks1" 2>&1
count_checks "$TMP/checks1"
python3 "$TMP/check.py" "$TMP/completed.svg" "$(ls "$TMP"/state/sessions/*.csv | head -n 1)" completed >"$TMP/checks2" 2>&1
count_checks "$TMP/checks2"
# A record written by hand: a fault that names a zone rings that pad where it was.
{
	echo "t_s,phase,cycle,left_setpoint_c,left_pad_c,left_pad2_c,left_heatsink_c,left_duty,right_setpoint_c,right_pad_c,right_pad2_c,right_heatsink_c,right_duty,event"
	echo "0.00,warm,1,39.00,30.00,,25.00,1.000,39.00,30.00,,25.00,1.000,start default button"
	for t in $(seq 1 119); do echo "$t.00,warm,1,39.00,$((30 + t / 20)).00,,25.00,0.500,39.00,31.00,,25.00,0.500,"; done
	echo '120.00,,,,35.50,,25.00,0.000,,31.00,,25.00,0.000,"end fault: over-temperature in zone left: pad 35.5 C, a ""test"" <fault> & more"'
} >"$TMP/hand.csv"
"${C[@]}" plot "$TMP/hand.csv" -o - >"$TMP/hand.svg"
expect "plot FILE.csv -o -: the SVG on stdout" 0 '^<\?xml' -- head -n 1 "$TMP/hand.svg"
expect "a fault naming a zone: that pad ringed at its last reading, the text escaped" 0 '^ok' -- python3 -c '
import sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
fault = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "fault"][0]
ring = fault.findall("s:circle", ns)
ticks = {int(t.text): float(t.get("y")) - 6 for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "tick" and t.get("text-anchor") == "end"}
lo, hi = min(ticks), max(ticks)
y = ticks[lo] + (ticks[hi] - ticks[lo]) * (35.5 - lo) / (hi - lo)
line_x = float(fault.find("s:line", ns).get("x1"))
assert len(ring) == 1 and abs(float(ring[0].get("cy")) - y) < 1 and abs(float(ring[0].get("cx")) - line_x) < 1, (ring, y)
assert "<fault> & more" in fault.find("s:title", ns).text and chr(34) + "test" + chr(34) in fault.find("s:title", ns).text
print("ok")' "$TMP/hand.svg"

finish
