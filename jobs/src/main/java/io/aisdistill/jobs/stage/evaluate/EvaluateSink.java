package io.aisdistill.jobs.stage.evaluate;

import io.aisdistill.common.eval.CostModel;
import io.aisdistill.common.eval.EvalExample;
import io.aisdistill.common.eval.EvalReport;
import io.aisdistill.common.eval.SummaryRow;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The evaluate stage's writes: {@code eval_results} and {@code eval_summary} (each an upsert that
 * replaces the evaluation's rows: MERGE on (eval_id, model, qa_id) and (eval_id, model, category))
 * and the report files ({@link EvalReport}: report.md, summary.json, examples.json, charts).
 */
final class EvaluateSink {
  private final SparkSession spark;
  private final Lakehouse lh;
  private final Path reportDir;

  /** @param reportDir local directory for the report files (created) */
  EvaluateSink(SparkSession spark, Lakehouse lh, Path reportDir) {
    this.spark = spark;
    this.lh = lh;
    this.reportDir = reportDir;
  }

  /** Upserts the evaluation's eval_results rows ({@code Tables.EVAL_RESULTS_SCHEMA}). */
  void writeResults(Dataset<Row> results, String evalId) {
    lh.upsert(results, Tables.EVAL_RESULTS, List.of("eval_id", "model", "qa_id"), "t.eval_id = '" + evalId + "'");
  }

  /**
   * Upserts the evaluation's eval_summary rows (one file).
   *
   * @return rows written
   */
  int writeSummary(List<SummaryRow> rows, String evalId, String runId) {
    List<Row> out = new ArrayList<>();
    for (SummaryRow r : rows) {
      out.add(RowFactory.create(evalId, runId, r.model(), r.role(), r.category(), r.n(), r.scored(), r.correct(),
          r.accuracy(), r.ciLow(), r.ciHigh(), r.latencyP50Ms(), r.latencyP95Ms(), r.meanTokensIn(),
          r.meanTokensOut(), r.usdPer1kQueries(), r.costBasis()));
    }
    lh.upsert(spark.createDataFrame(out, Tables.EVAL_SUMMARY_SCHEMA).coalesce(1), Tables.EVAL_SUMMARY,
        List.of("eval_id", "model", "category"), "t.eval_id = '" + evalId + "'");
    return out.size();
  }

  /**
   * Writes the report files.
   *
   * @return the files written
   * @throws UncheckedIOException when they cannot be written
   */
  List<Path> writeReport(List<SummaryRow> rows, CostModel costs, List<EvalExample> examples) {
    try {
      return EvalReport.write(rows, costs, examples, reportDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + reportDir + ": " + e.getMessage(), e);
    }
  }
}
