# MLflow tracking server for the mlflow-server tests (MlflowLogTest), to merge into .ci/run
# before `mvn -B -Preal-data verify` (not wired in yet). Sourced or pasted: it exports
# AIS_DISTILL_MLFLOW, which the test reads (system property or env) to start `mlflow server`.
#
# Package: full `mlflow` with the `auth` extra (Flask-WTF, for the test's --app-name basic-auth).
#  - mlflow 3.18.0 does not install from the PyPI index CI reaches: it pins mlflow-skinny==3.18.0,
#    which that index lacks (newest skinny: 3.17.2); 3.17.2 is the newest full release that resolves.
#  - mlflow-skinny 3.17.2 alone cannot run `mlflow server` (no flask); it does with flask,
#    flask-cors, sqlalchemy, alembic, graphene, huey, aiohttp, cryptography, numpy and pandas added
#    by hand (~355 MB vs ~850 MB), but that is an unsupported hand-picked set that a minor
#    release can break, so CI uses the supported package.
# Measured on a 2-core machine: 48-68 s to install, cold pip cache or warm (unpacking dominates),
# 851 MB venv (pyarrow, scipy, pandas, sklearn, numpy, matplotlib: ~480 MB of it). MlflowLogTest
# then takes ~15-20 s in surefire (server start 6-10 s; up to ~40 s seen on a busy machine).
echo "== MLflow tracking server for the mlflow-server tests: mlflow in .venv-mlflow (PyPI)"
t0=$SECONDS
if [ ! -x .venv-mlflow/bin/mlflow ]; then
  python3 -m venv .venv-mlflow
  .venv-mlflow/bin/pip install -q --disable-pip-version-check 'mlflow[auth]==3.17.2'
fi
export AIS_DISTILL_MLFLOW="$PWD/.venv-mlflow/bin/mlflow"
echo "mlflow venv ready in $((SECONDS - t0)) s ($(du -sh .venv-mlflow | cut -f1))"
