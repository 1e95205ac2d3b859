"""Helpers shared by the ais-distill notebooks (Databricks and Jupyter).

- the Spark session: Databricks' own, or a local one with Delta (PyPI pyspark + delta-spark; the
  Delta jars from AIS_DISTILL_SPARK_JARS when set, else resolved by delta-spark's pip helper);
- the lakehouse: the `lakehouse` widget on Databricks, else $AIS_LAKEHOUSE, else ../lakehouse; a
  root path/URI or catalog:CATALOG.SCHEMA, as in the jobs (Lakehouse.java);
- every table as a temp view of its own name; a table not written yet (LLM calls before the
  teacher stage, evaluation results before evaluate) becomes an empty view with its contract
  schema, so every cell runs and the notebook says what is missing;
- `%sql` cells in Jupyter (Databricks runs them natively).
"""
import os

TABLES = ["ais_positions", "ais_static", "ais_rejects", "track_windows", "teacher_prompts",
          "qa_candidates", "qa_judged", "llm_calls", "eval_results", "eval_summary"]

# Contract schemas (DESIGN.md) of the tables other stages write, used when they are absent.
EMPTY_SCHEMAS = {
    "llm_calls": "call_id STRING, model STRING, endpoint STRING, status STRING, http_status INT, "
                 "attempts INT, tokens_in BIGINT, tokens_out BIGINT, cost_usd DOUBLE, latency_ms BIGINT",
    "eval_results": "model STRING, qa_id STRING, category STRING, correct BOOLEAN, score DOUBLE, "
                    "latency_ms BIGINT, tokens BIGINT, cost_usd DOUBLE",
    "eval_summary": "model STRING, category STRING, n BIGINT, accuracy DOUBLE, mean_score DOUBLE, "
                    "mean_latency_ms DOUBLE, tokens BIGINT, cost_usd DOUBLE",
}


def _dbutils():
    try:
        import IPython
        return IPython.get_ipython().user_ns.get("dbutils")
    except Exception:
        return None


def get_spark():
    """The active session (Databricks), or a local one with Delta Lake."""
    from pyspark.sql import SparkSession
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (SparkSession.builder.appName("ais-distill notebook").master("local[2]")
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.databricks.delta.snapshotPartitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.extraJavaOptions", "-XX:+IgnoreUnrecognizedVMOptions"))
    jars = os.environ.get("AIS_DISTILL_SPARK_JARS")
    if jars:
        return builder.config("spark.jars", jars).getOrCreate()
    from delta import configure_spark_with_delta_pip
    return configure_spark_with_delta_pip(builder).getOrCreate()


def get_lakehouse(default="../lakehouse"):
    dbu = _dbutils()
    if dbu is not None:
        dbu.widgets.text("lakehouse", os.environ.get("AIS_LAKEHOUSE", default))
        return dbu.widgets.get("lakehouse")
    return os.environ.get("AIS_LAKEHOUSE", default)


def table_ref(lakehouse, name):
    """What spark.read needs: ('table', CATALOG.SCHEMA.name) or ('path', root/name)."""
    if lakehouse.startswith("catalog:"):
        return "table", lakehouse[len("catalog:"):] + "." + name
    return "path", lakehouse.rstrip("/") + "/" + name


def register(spark, lakehouse):
    """Temp views for every table; returns (present, missing) table names."""
    present, missing = [], []
    for name in TABLES:
        kind, ref = table_ref(lakehouse, name)
        try:
            df = spark.read.table(ref) if kind == "table" else spark.read.format("delta").load(ref)
            df.createOrReplaceTempView(name)
            present.append(name)
        except Exception:
            missing.append(name)
            if name in EMPTY_SCHEMAS:
                spark.createDataFrame([], EMPTY_SCHEMAS[name]).createOrReplaceTempView(name)
    return present, missing


def show(df, n=50):
    """Databricks' display, else a pandas table."""
    ip = _ipython()
    disp = ip.user_ns.get("display") if ip is not None else None
    pdf = df.limit(n).toPandas()
    if disp is not None and _dbutils() is not None:
        return disp(df)
    return pdf


def _ipython():
    try:
        import IPython
        return IPython.get_ipython()
    except Exception:
        return None


def enable_sql_cells(spark):
    """Makes a cell starting with the line `%sql` run as Spark SQL in Jupyter (as on Databricks)."""
    ip = _ipython()
    if ip is None or _dbutils() is not None:
        return

    def transform(lines):
        if lines and lines[0].strip() == "%sql":
            query = "".join(lines[1:])
            return ["import ais_nb as _ais_nb\n", f"_ais_nb.show(spark.sql({query!r}))\n"]
        return lines

    if transform not in ip.input_transformers_cleanup:
        ip.input_transformers_cleanup.append(transform)
    ip.user_ns["spark"] = spark


def setup():
    """One call per notebook: returns (spark, lakehouse) and prints which tables are present."""
    spark = get_spark()
    lakehouse = get_lakehouse()
    present, missing = register(spark, lakehouse)
    enable_sql_cells(spark)
    print(f"lakehouse: {lakehouse}")
    print("tables: " + ", ".join(present))
    if missing:
        print("not written yet (empty views where the schema is known): " + ", ".join(missing))
    return spark, lakehouse, present
