"""Figures of bench/distill, one name=value per line, from the evaluate stage's summary.json and the
trainer's metrics.json.

usage: python3 bench/distill_figures.py REPORT/summary.json LORA/metrics.json [STUDENT] [BASE] [TEACHER]

Accuracy is correct / scored over the evaluated test items (95 % Wilson interval from summary.json,
computed by the evaluate stage); the cost ratio is the teacher's USD per 1,000 queries (list price at the
test prompts' token counts) over the student's (self-hosted CPU time). Exit 1 when a model is missing.
"""

from __future__ import annotations

import json
import sys


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def main(argv: list[str]) -> int:
    summary = json.load(open(argv[1], encoding="utf-8"))
    metrics = json.load(open(argv[2], encoding="utf-8"))
    student, base, teacher = (argv[3:6] + ["student", "base", "gpt-4o"][len(argv[3:6]):])[:3]
    rows = {(r["model"], r["category"]): r for r in summary}
    for m in (student, base):
        if (m, "all") not in rows:
            print(f"distill_figures: no 'all' row for model {m} in {argv[1]}", file=sys.stderr)
            return 1
    cats = sorted({c for (m, c) in rows if m == student and c != "all"})
    better = 0
    for c in cats:
        s, b = rows.get((student, c)), rows.get((base, c))
        sa, ba = (s or {}).get("accuracy"), (b or {}).get("accuracy")
        if sa is not None and ba is not None and sa > ba:
            better += 1
        print(f"accuracy_{c}={pct(ba)}/{pct(sa)} (base/student %, n={(s or {}).get('scored')})")
    print(f"categories_student_better={better}/{len(cats)}")
    tps = metrics.get("train_tokens_per_second")
    print(f"train_steps={metrics['global_step']}")
    print(f"train_tokens_per_s={tps:.0f}" if tps else "train_tokens_per_s=n/a")
    print(f"train_examples_seen={metrics['global_step'] * metrics['batch_size'] * metrics['gradient_accumulation_steps']}")
    s_usd = rows[(student, "all")].get("usd_per_1k_queries")
    t_usd = (rows.get((teacher, "all")) or {}).get("usd_per_1k_queries")
    print(f"student_usd_per_1k={s_usd:.4f}" if s_usd is not None else "student_usd_per_1k=n/a")
    print(f"cost_ratio_vs_gpt4o={t_usd / s_usd:.0f}" if s_usd and t_usd else "cost_ratio_vs_gpt4o=n/a")
    for m in (base, student):
        r = rows[(m, "all")]
        print(f"{m}_accuracy={pct(r['accuracy'])} ({r['correct']}/{r['scored']})")
        print(f"{m}_ci95={pct(r['ci_low'])}-{pct(r['ci_high'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
