#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The tables of `make bench`, from what the benchmarks wrote.

    report.py --control FILE --cost FILE --daemon FILE --timing FILE
              --json OUT [--markdown OUT] [--quick]

Every input is optional (a benchmark that did not run is reported as
such). Each table row is a figure beside its goal; control-quality rows
give the median and the worst over every seed, zone and occurrence of the
transition, for contrastd and the two baselines. The same goes to OUT as
JSON (build/bench.json) and, with --markdown, as Markdown for
docs/performance.md. Benchmarks report; this never fails on a figure.
"""
import argparse
import datetime
import json
import math
import os
import platform
import sys

CONTROLLERS = ["contrastd", "on_off", "textbook_pid"]
TRANSITIONS = ["rest->warm", "rest->cool", "warm->cool", "cool->warm"]

# figure key, label, goal text, goal test (None: no goal), lower is better, format
FIGURES = [
    ("settle_ratio", "settle time / full-power bound", "<= 1.15", lambda v: v <= 1.15, True, "{:.2f}"),
    ("overshoot_c", "overshoot, C", "<= 0.3", lambda v: v <= 0.3, True, "{:.2f}"),
    ("hold_rms_c", "hold RMS, C", "<= 0.1", lambda v: v <= 0.1, True, "{:.3f}"),
    ("hold_pp_c", "hold peak-to-peak, C", "-", None, True, "{:.2f}"),
    ("reversals", "polarity reversals", "0", lambda v: v == 0, True, "{:.0f}"),
    ("in_band", "time in band (of the phase)", "-", None, False, "{:.0%}"),
]
# At the corners of the world's envelope the goals are looser.
CORNER_GOALS = {
    "settle_ratio": ("<= 1.3", lambda v: v <= 1.3),
    "overshoot_c": ("<= 0.5", lambda v: v <= 0.5),
}


def load_lines(path):
    if not path or not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def median(values):
    s = sorted(values)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def summarise(values, lower_better):
    """Median and worst; None stands for 'never' (a phase that did not settle, say)."""
    n = len(values)
    if n == 0:
        return {"n": 0, "median": None, "worst": None, "never": 0}
    never = sum(1 for v in values if v is None)
    bad = math.inf if lower_better else -math.inf
    vals = [bad if v is None else v for v in values]
    med = median(vals)
    worst = max(vals) if lower_better else min(vals)
    fix = lambda v: None if v is None or math.isinf(v) else v
    return {"n": n, "median": fix(med), "worst": fix(worst), "never": never}


def fmt(v, f, never=False):
    if v is None:
        return "never" if never else "-"
    return f.format(v)


def control_tables(rows):
    phases = [r for r in rows if r.get("type") == "phase" and r.get("complete")]
    runs = [r for r in rows if r.get("type") == "run"]
    relay = next((r for r in rows if r.get("type") == "relay"), None)
    tables = []
    keys = []
    for r in phases:
        k = (r["corner"], r["program"])
        if k not in keys:
            keys.append(k)
    for corner, program in keys:
        ph = [r for r in phases if r["corner"] == corner and r["program"] == program]
        ctls = [c for c in CONTROLLERS if any(r["controller"] == c for r in ph)]
        table = {"corner": corner, "program": program, "controllers": ctls, "rows": [], "runs": {}}
        for c in ctls:
            rr = [r for r in runs if r["corner"] == corner and r["program"] == program and r["controller"] == c]
            table["runs"][c] = {
                "sessions": len({r["seed"] for r in rr}),
                "completed": len({r["seed"] for r in rr if r["end"] == "completed"}),
                "faults": sorted({r["fault"] for r in rr if r["end"] == "fault"}),
                "max_true_c": max((r["max_true_c"] for r in rr), default=None),
                "min_true_c": min((r["min_true_c"] for r in rr), default=None),
                "in_band": summarise([r["in_band"] for r in rr], False),
            }
        seeds = sorted({r["seed"] for r in ph})
        table["seeds"] = len(seeds)
        for tr in TRANSITIONS:
            tp = [r for r in ph if r["transition"] == tr]
            if not tp:
                continue
            bounds = [r["bound_s"] for r in tp if r["controller"] == "contrastd"] or [r["bound_s"] for r in tp]
            row_bound = summarise(bounds, True)
            table["rows"].append({"transition": tr, "figure": "full-power bound, s", "goal": "-",
                                  "values": {"bound": row_bound}})
            for key, label, goal, test, lower, f in FIGURES:
                g, t = goal, test
                if corner != "reference" and key in CORNER_GOALS:
                    g, t = CORNER_GOALS[key]
                row = {"transition": tr, "figure": label, "key": key, "goal": g, "values": {}}
                for c in ctls:
                    vals = [r[key] for r in tp if r["controller"] == c]
                    s = summarise(vals, lower)
                    if t is not None:
                        s["meets_goal"] = s["never"] == 0 and s["worst"] is not None and bool(t(s["worst"]))
                    row["values"][c] = s
                table["rows"].append(row)
        tables.append(table)
    return {"relay": relay, "tables": tables}


CORNER_TRANSITIONS = ["rest->warm", "warm->cool", "cool->warm"]


def corner_summary(ctl):
    """One row per corner of the envelope: contrastd's worst figures per transition."""
    rows = []
    for t in ctl["tables"]:
        if t["corner"] == "reference" and t["program"] != "shipped":
            continue
        if "contrastd" not in t["controllers"]:
            continue
        row = {"corner": t["corner"], "program": t["program"], "seeds": t["seeds"], "transitions": {},
               "sessions": t["runs"]["contrastd"]["sessions"], "completed": t["runs"]["contrastd"]["completed"],
               "faults": t["runs"]["contrastd"]["faults"]}
        for r in t["rows"]:
            if "key" not in r or r["key"] not in ("settle_ratio", "overshoot_c", "hold_rms_c", "reversals"):
                continue
            s = r["values"]["contrastd"]
            row["transitions"].setdefault(r["transition"], {})[r["key"]] = {
                "worst": s["worst"], "never": s["never"], "n": s["n"], "meets_goal": s.get("meets_goal")}
        rows.append(row)
    return rows


def print_corners(rows, out):
    if len(rows) < 2:
        return
    out.append("")
    out.append("Control quality at the envelope's corners: program shipped, contrastd, %d seeds x 2 zones" % rows[0]["seeds"])
    out.append("worst per transition: settle / bound, overshoot C, hold RMS C, reversals ('!': misses the goal;")
    out.append("corners: settle <= 1.3, overshoot <= 0.5; reference: <= 1.15, <= 0.3, RMS <= 0.1, 0 reversals)")
    out.append("%-14s %-26s %-26s %-26s %s" % ("corner", *CORNER_TRANSITIONS, "sessions"))
    for row in rows:
        line = "%-14s" % row["corner"]
        for tr in CORNER_TRANSITIONS:
            f = row["transitions"].get(tr)
            if not f:
                line += " %-26s" % "-"
                continue
            cells = []
            for key, form in (("settle_ratio", "{:.2f}"), ("overshoot_c", "{:.2f}"), ("hold_rms_c", "{:.3f}"),
                              ("reversals", "{:.0f}")):
                v = f.get(key)
                if not v:
                    cells.append("-")
                    continue
                c = fmt(v["worst"], form, v["never"] > 0)
                if v["meets_goal"] is False:
                    c += "!"
                cells.append(c)
            line += " %-26s" % " ".join(cells)
        line += " %d of %d" % (row["completed"], row["sessions"])
        out.append(line)
        for f in row["faults"][:1]:
            out.append("    fault: %s%s" % (f[:90].rstrip(), " (and %d more)" % (len(row["faults"]) - 1) if len(row["faults"]) > 1 else ""))


def print_control(ctl, out):
    relay = ctl["relay"]
    for t in ctl["tables"]:
        if t["corner"] != "reference":
            continue        # the corners: one line each, in print_corners
        ctls = t["controllers"]
        out.append("")
        out.append("Control quality: program %s, world %s, %d seeds x 2 zones (median / worst)" %
                   (t["program"], t["corner"], t["seeds"]))
        head = "%-11s %-31s %-8s" % ("transition", "figure", "goal")
        for c in ctls:
            head += " %-19s" % c
        out.append(head)
        for row in t["rows"]:
            if "bound" in row["values"]:
                s = row["values"]["bound"]
                out.append("%-11s %-31s %-8s %s" % (row["transition"], row["figure"], "-",
                                                    "%.1f / %.1f" % (s["median"], s["worst"])))
                continue
            f = next(x[5] for x in FIGURES if x[0] == row["key"])
            line = "%-11s %-31s %-8s" % ("", row["figure"], row["goal"])
            for c in ctls:
                s = row["values"][c]
                cell = "%s / %s" % (fmt(s["median"], f, s["never"] > s["n"] // 2),
                                    fmt(s["worst"], f, s["never"] > 0))
                if "meets_goal" in s and not s["meets_goal"] and c == "contrastd":
                    cell += " !"
                line += " %-19s" % cell
            out.append(line)
        line = "%-11s %-31s %-8s" % ("session", "time in band (whole session)", "-")
        for c in ctls:
            s = t["runs"][c]["in_band"]
            line += " %-19s" % ("%s / %s" % (fmt(s["median"], "{:.0%}"), fmt(s["worst"], "{:.0%}")))
        out.append(line)
        line = "%-11s %-31s %-8s" % ("", "sessions completed", "all")
        for c in ctls:
            r = t["runs"][c]
            line += " %-19s" % ("%d of %d" % (r["completed"], r["sessions"]))
        out.append(line)
        line = "%-11s %-31s %-8s" % ("", "true pad max / min, C", "-")
        for c in ctls:
            r = t["runs"][c]
            line += " %-19s" % ("%.1f / %.1f" % (r["max_true_c"], r["min_true_c"]))
        out.append(line)
        for c in ctls:
            for f in t["runs"][c]["faults"]:
                out.append("    %s: fault: %s" % (c, f))
    if relay:
        out.append("")
        out.append("textbook_pid gains from a relay test at %.1f C: amplitude %.3f C, period %.2f s, "
                   "Ku %.2f -> Kp %.3f, Ki %.4f /s, Kd %.3f s" %
                   (relay["mid_c"], relay["amplitude_c"], relay["tu_s"], relay["ku"], relay["kp"],
                    relay["ki"], relay["kd"]))
    out.append("'!': contrastd misses the goal somewhere (worst case); 'never': did not settle within the phase")
    print_corners(ctl.get("corners", []), out)


def print_cost(cost, out):
    if not cost:
        return
    out.append("")
    out.append("Cost")
    out.append("%-62s %-18s %s" % ("figure", "value", "goal"))
    for r in cost:
        out.append("%-62s %-18s %s" % (r["figure"], r["text"], r.get("goal", "-")))


def print_timing(timing, out):
    if not timing:
        return
    out.append("")
    out.append("Loop timing: the daemon on the hardware path (hw_real over mocked libgpiod/libiio driving the")
    out.append("plant in real time), a session running; lateness against the schedule, microseconds")
    out.append("%-40s %8s %9s %9s %9s %8s" % ("timer", "events", "p50", "p99", "max", "minutes"))
    for r in timing:
        if r.get("type") != "timing":
            continue
        if not r["events"]:
            out.append("%-40s %8d %9s %9s %9s %8.1f" % (r["figure"], 0, "-", "-", "-", r["minutes"]))
            continue
        out.append("%-40s %8d %9.0f %9.0f %9.0f %8.1f" % (r["figure"], r["events"], r["p50_us"], r["p99_us"],
                                                       r["max_us"], r["minutes"]))
    for r in timing:
        if r.get("type") == "timing-run":
            out.append("  %s: %.0f s, session %s at the end, fault %s, CPU %.3f %%, %.1f wake-ups/s, "
                       "heat and cool together %d times" %
                       (r["label"], r["seconds"], r["session"], r["fault"], r["cpu_percent"], r["wakeups_per_s"],
                        r["interlock_violations"]))


def markdown(result, text):
    lines = ["```", *text.strip("\n").split("\n"), "```"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--control")
    ap.add_argument("--cost")
    ap.add_argument("--daemon")
    ap.add_argument("--timing")
    ap.add_argument("--json", required=True)
    ap.add_argument("--markdown")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()

    result = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"system": platform.system(), "release": platform.release(), "machine": platform.machine(),
                    "cpus": os.cpu_count()},
        "quick": a.quick,
    }
    out = []
    ctl_rows = load_lines(a.control)
    if ctl_rows:
        result["control_quality"] = control_tables(ctl_rows)
        result["control_quality"]["corners"] = corner_summary(result["control_quality"])
        print_control(result["control_quality"], out)
    cost = load_lines(a.cost) + load_lines(a.daemon)
    if cost:
        result["cost"] = cost
        print_cost(cost, out)
    timing = load_lines(a.timing)
    if timing:
        result["loop_timing"] = timing
        print_timing(timing, out)
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(markdown(result, text))


if __name__ == "__main__":
    main()
