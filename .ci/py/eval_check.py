"""Checks an evaluation against the lakehouse, independently of the Java code (delta-rs, no Spark).

Usage: python eval_check.py LAKEHOUSE EXPORT_DIR REPORT_DIR MAX_ITEMS_PER_CATEGORY MODEL [MODEL ...]

Asserts:
  * the evaluated items are the export's test split, at most MAX_ITEMS_PER_CATEGORY per category
    chosen by the lowest SHA-256 of qa_id (the rule of EvaluateJob), recomputed here from the
    Parquet file;
  * eval_results holds every (model, item) exactly once for the evaluation (eval_id of
    summary.json's rows in eval_summary), each with an ok call in llm_calls;
  * summary.json equals eval_summary row for row, and its n / scored / correct per model and
    category equal counts recomputed from eval_results;
  * report.md shows each model's overall accuracy as summary.json has it.
Prints "evaluate_calls=N" (llm_calls rows with purpose evaluate) last, for the rerun check.
"""
import hashlib
from decimal import ROUND_HALF_UP, Decimal
import json
import os
import sys
from collections import defaultdict

import pyarrow.parquet as pq
from deltalake import DeltaTable


def table(lakehouse, name, columns=None):
    return DeltaTable(os.path.join(lakehouse, name)).to_pyarrow_table(columns=columns).to_pylist()


def main():
    lakehouse, export, report, cap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    models = sys.argv[5:]
    test = pq.read_table(os.path.join(export, "parquet", "test.parquet"), columns=["qa_id", "category"]).to_pylist()
    by_cat = defaultdict(list)
    for r in test:
        by_cat[r["category"]].append(r["qa_id"])
    expected = set()
    for ids in by_cat.values():
        ranked = sorted(ids, key=lambda q: hashlib.sha256(q.encode("utf-8")).hexdigest())
        expected.update(ranked[:cap] if cap > 0 else ranked)

    summary = json.load(open(os.path.join(report, "summary.json")))
    summary = summary["rows"] if isinstance(summary, dict) else summary
    eval_summary = table(lakehouse, "eval_summary")
    eval_ids = {r["eval_id"] for r in eval_summary}
    # the evaluation of this report: the eval_id whose rows equal summary.json
    key = lambda r: (r["model"], r["category"])
    mine = None
    for e in eval_ids:
        rows = {key(r): r for r in eval_summary if r["eval_id"] == e}
        if set(rows) == {key(r) for r in summary}:
            mine = e
    assert mine, "no eval_summary evaluation matches summary.json"
    srows = {key(r): r for r in eval_summary if r["eval_id"] == mine}
    for r in summary:
        t = srows[key(r)]
        for f in ("n", "scored", "correct", "accuracy", "ci_low", "ci_high", "usd_per_1k_queries", "cost_basis"):
            assert r[f] == t[f], f"summary.json {key(r)} {f}={r[f]} but eval_summary has {t[f]}"

    results = [r for r in table(lakehouse, "eval_results") if r["eval_id"] == mine]
    calls = {r["call_id"]: r for r in table(lakehouse, "llm_calls", ["call_id", "status", "purpose"])}
    seen = defaultdict(int)
    counts = defaultdict(lambda: [0, 0, 0])
    for r in results:
        seen[(r["model"], r["qa_id"])] += 1
        assert calls[r["call_id"]]["status"] == "ok", f"call {r['call_id']} not ok"
        for k in ((r["model"], r["category"]), (r["model"], "all")):
            counts[k][0] += 1
            counts[k][1] += r["correct"] is not None
            counts[k][2] += r["correct"] is True
    assert all(v == 1 for v in seen.values()), "an item scored twice for a model"
    for m in models:
        got = {q for (mm, q) in seen if mm == m}
        assert got == expected, f"{m}: {len(got)} items scored, {len(expected)} expected " \
                                f"(missing {len(expected - got)}, extra {len(got - expected)})"
    for k, (n, scored, correct) in counts.items():
        r = srows[k]
        assert (r["n"], r["scored"], r["correct"]) == (n, scored, correct), \
            f"{k}: summary n/scored/correct {r['n']}/{r['scored']}/{r['correct']}, eval_results {n}/{scored}/{correct}"

    md = open(os.path.join(report, "report.md"), encoding="utf-8").read()
    for m in models:
        acc = srows[(m, "all")]["accuracy"]
        if acc is None:
            continue
        # Java's %.1f rounds half up, Python's half to even: accept either on an exact tie
        cells = {f"{100 * acc:.1f} %",
                 str(Decimal(100 * acc).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + " %"}
        assert any(c in md for c in cells), f"report.md does not show {m}'s accuracy {cells}"
    n_eval = sum(1 for c in calls.values() if c["purpose"] == "evaluate")
    print(f"eval_id={mine} items={len(expected)} models={len(models)} results={len(results)} checked")
    print(f"evaluate_calls={n_eval}")


if __name__ == "__main__":
    from hard_exit import exit_now

    main()
    exit_now(0)
