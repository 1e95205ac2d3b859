"""Executes every notebook in notebooks/ with nbclient (Jupyter kernel, PyPI pyspark + delta-spark)
against a lakehouse; any cell error fails. Executed copies go to OUT_DIR for inspection.

Usage: python run_notebooks.py NOTEBOOK_DIR LAKEHOUSE OUT_DIR   (env AIS_DISTILL_SPARK_JARS: Delta jars)
"""
import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    nb_dir, lakehouse, out_dir = (os.path.abspath(a) for a in sys.argv[1:4])
    os.environ["AIS_LAKEHOUSE"] = lakehouse
    os.makedirs(out_dir, exist_ok=True)
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(nb_dir, "*.ipynb"))):
        nb = nbformat.read(path, as_version=4)
        t = time.time()
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": nb_dir}})
        try:
            client.execute()
            outputs = sum(len(c.get("outputs", [])) for c in nb.cells if c.cell_type == "code")
            print(f"ok   {os.path.basename(path)}: {len(nb.cells)} cells, {outputs} outputs, {time.time() - t:.0f} s")
            passed += 1
        except CellExecutionError as e:
            print(f"FAIL {os.path.basename(path)}: {str(e)[:3000]}")
            failed += 1
        nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    print(f"notebooks: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
