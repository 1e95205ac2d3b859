"""Checks a budgeted run with LLM teachers against its tables, independently of the Java code
(delta-rs, no Spark).

Usage: python budget_check.py LAKEHOUSE TEACHER_FILE MAX_USD

Asserts:
  * window_selection: one decision per track_windows row; the selected windows' estimated USD
    (est_usd: prompt tokens x price_in + max_tokens x price_out per call) sums to at most MAX_USD,
    and the budget binds (some window is OVER_BUDGET);
  * llm_calls: the generate calls are one ok call per planned call of the selected windows
    (count = sum of est_calls), none for an unselected window; each call's cost_usd equals its
    tokens at the teacher file's prices, and they sum to at most MAX_USD;
  * qa_candidates: pairs only for selected windows, from the grounded teacher (no call, no cost)
    and from an LLM teacher, when the teacher file lists both.
Prints one line with the figures last.
"""
import os
import sys

import yaml
from deltalake import DeltaTable


def table(lakehouse, name, columns=None):
    return DeltaTable(os.path.join(lakehouse, name)).to_pyarrow_table(columns=columns).to_pylist()


failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def main():
    lakehouse, teacher_file, budget = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(teacher_file) as f:
        models = yaml.safe_load(f)["models"]
    prices = {m["name"]: (m.get("price_in_per_mtok", 0.0), m.get("price_out_per_mtok", 0.0))
              for m in models if m.get("kind", "llm") == "llm"}
    kinds = {m.get("kind", "llm") for m in models if m.get("role", "generate") == "generate"}

    windows = {r["window_id"] for r in table(lakehouse, "track_windows", ["window_id"])}
    sel = table(lakehouse, "window_selection", ["window_id", "selected", "reason", "est_calls", "est_usd"])
    check({r["window_id"] for r in sel} == windows and len(sel) == len(windows), "one decision per window")
    chosen = {r["window_id"] for r in sel if r["selected"]}
    est_usd = sum(r["est_usd"] for r in sel if r["selected"])
    est_calls = sum(r["est_calls"] for r in sel if r["selected"])
    check(est_usd <= budget, f"estimated USD {est_usd} over the budget {budget}")
    check(any(r["reason"] == "OVER_BUDGET" for r in sel), "the budget does not bind")

    calls = [r for r in table(lakehouse, "llm_calls", ["purpose", "teacher", "window_id", "status", "tokens_in",
                                                         "tokens_out", "cost_usd"]) if r["purpose"] == "generate"]
    ok = [r for r in calls if r["status"] == "ok"]
    check(len(ok) == len(calls) == est_calls, f"generate calls {len(calls)} (ok {len(ok)}) != planned {est_calls}")
    check(all(r["window_id"] in chosen for r in calls), "a call for an unselected window")
    for r in ok:
        p_in, p_out = prices[r["teacher"]]
        usd = (r["tokens_in"] * p_in + r["tokens_out"] * p_out) / 1e6
        check(abs(usd - r["cost_usd"]) < 1e-12, f"cost_usd of a {r['teacher']} call: {r['cost_usd']} != {usd}")
    paid = sum(r["cost_usd"] for r in ok)
    check(paid <= budget, f"paid USD {paid} over the budget {budget}")

    qa = table(lakehouse, "qa_candidates", ["window_id", "teacher", "call_id"])
    check(all(r["window_id"] in chosen for r in qa), "QA for an unselected window")
    teachers = {r["teacher"] for r in qa}
    if "grounded" in kinds:
        check("grounded" in teachers, "no pairs of the grounded teacher")
        check(all(r["call_id"] is None for r in qa if r["teacher"] == "grounded"), "a grounded pair with a call")
    if "llm" in kinds:
        check(teachers - {"grounded"}, "no pairs of an LLM teacher")
    print(f"budget: windows {len(windows)}, selected {len(chosen)}, generate calls {len(ok)}, "
          f"estimated USD {est_usd:.6f}, paid USD {paid:.6f}, budget {budget}, QA by teacher "
          + ", ".join(f"{t} {sum(1 for r in qa if r['teacher'] == t)}" for t in sorted(teachers)))
    print(f"budget check: {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    from hard_exit import exit_now

    exit_now(main())
