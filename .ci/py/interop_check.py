"""Delta interop: delta-rs (PyPI `deltalake`, no Spark, no JVM) reads every lakehouse table and
must see the same row count and key digest as Spark (io.aisdistill.jobs.TableChecksums).

The key digest is SHA-256 over the sorted lines "k1|k2|..." of each table's key columns (integers
and strings as text, null as \\N): the definition in TableChecksums.KEY_COLUMNS, repeated here.

Usage: python interop_check.py LAKEHOUSE_DIR SPARK_CHECKSUMS_FILE
"""
import hashlib
import os
import sys

from deltalake import DeltaTable

KEY_COLUMNS = {
    "ais_positions": ["mmsi", "source", "source_record", "msg_type"],
    "ais_static": ["mmsi", "source", "source_record", "msg_type"],
    "ais_rejects": ["source", "source_record", "reason"],
    "track_windows": ["window_id", "mmsi", "n_points"],
    "track_state": ["mmsi", "state_format"],
    "window_selection": ["window_id", "reason", "rank"],
    "teacher_prompts": ["window_id", "prompt_version"],
    "qa_candidates": ["qa_id", "window_id", "category"],
    "qa_judged": ["qa_id", "verdict"],
}


def text(v):
    return "\\N" if v is None else str(v)


def digest(lakehouse, table):
    dt = DeltaTable(os.path.join(lakehouse, table))
    cols = KEY_COLUMNS[table]
    data = dt.to_pyarrow_table(columns=cols).to_pydict()
    n = len(data[cols[0]])
    lines = sorted("|".join(text(data[c][i]) for c in cols).encode("utf-8") for i in range(n))
    return n, hashlib.sha256(b"\n".join(lines)).hexdigest(), dt.version()


def main():
    lakehouse, sums = sys.argv[1], sys.argv[2]
    spark = {}
    with open(sums) as f:
        for line in f:
            kv = dict(p.split("=", 1) for p in line.split())
            spark[kv["table"]] = kv
    passed = failed = 0
    for table in KEY_COLUMNS:
        present = os.path.isdir(os.path.join(lakehouse, table, "_delta_log"))
        if table not in spark and not present:
            continue
        n, keys, version = digest(lakehouse, table)
        ok = table in spark and int(spark[table]["rows"]) == n and spark[table]["keys"] == keys
        print(f"{'ok  ' if ok else 'FAIL'} {table}: delta-rs rows={n} version={version} keys={keys[:16]}"
              + ("" if ok else f" vs Spark {spark.get(table)}"))
        passed += ok
        failed += not ok
    print(f"interop: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed >= 5 else 1


if __name__ == "__main__":
    from hard_exit import exit_now

    exit_now(main())
