package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The generate stage's writes (llm_calls is written by {@code LlmFanout}): the QA pairs into
 * {@code qa_candidates} (new qa_id only), then the prompts into {@code teacher_prompts} (new
 * window_id + prompt_version only), both partitioned by date, so a rerun adds nothing.
 */
final class GenerateSink {
  /** Rows the two MERGEs inserted. */
  record Written(long qaNew, long promptsNew) {}

  private final Lakehouse lh;

  GenerateSink(Lakehouse lh) {
    this.lh = lh;
  }

  /**
   * Inserts the new rows of {@code qa} ({@link Tables#QA_CANDIDATES_SCHEMA}) and then of
   * {@code prompts} ({@link Tables#PROMPTS_SCHEMA}).
   *
   * @return rows inserted into each table
   */
  Written write(Dataset<Row> qa, Dataset<Row> prompts) {
    long newQa = lh.insertNew(qa, Tables.QA_CANDIDATES, List.of("qa_id"), List.of("date"));
    long newPrompts = lh.insertNew(prompts, Tables.PROMPTS, List.of("window_id", "prompt_version"), List.of("date"));
    return new Written(newQa, newPrompts);
  }
}
