package io.aisdistill.jobs.stage.generate;

import io.aisdistill.jobs.lakehouse.DatePartitions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import io.aisdistill.common.qa.WindowPrompt;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The generate stage's writes (llm_calls is written by {@code LlmFanout}): the QA pairs into
 * {@code qa_candidates}, then the prompts into {@code teacher_prompts}, both partitioned by date.
 * Each is a {@link Lakehouse#sync}: the pairs of this run's teachers (the prompts of this prompt
 * version) become exactly the given rows. New pairs are inserted; a pair whose window changed
 * since (a window that later reports extended keeps its id) is replaced; a pair of a window that
 * is no longer selected, or that its changed window no longer gives, is deleted. A rerun writes
 * nothing.
 */
final class GenerateSink {
  /**
   * Rows the two syncs wrote.
   *
   * @param qa qa_candidates rows inserted, updated, deleted
   * @param prompts teacher_prompts rows inserted, updated, deleted
   */
  record Written(Lakehouse.Synced qa, Lakehouse.Synced prompts) {}

  private final Lakehouse lh;

  GenerateSink(Lakehouse lh) {
    this.lh = lh;
  }

  /**
   * Syncs {@code qa} ({@link Tables#QA_CANDIDATES_SCHEMA}) into qa_candidates within the pairs of
   * {@code teachers}, then {@code prompts} ({@link Tables#PROMPTS_SCHEMA}) into teacher_prompts
   * within {@link WindowPrompt#VERSION}; in an incremental run, both only within the windows it
   * recomputed ({@code windowIds}, on the dates {@code dates}): rows of other windows stay as they are.
   *
   * @param teachers the teacher names this run makes pairs with (qa_candidates.teacher)
   * @param windowIds window_id rows of the recomputed windows, or null (full run: every window)
   * @param dates the recomputed windows' dates (the partitions touched), or null (full run)
   * @return rows written to each table
   */
  Written write(Dataset<Row> qa, Dataset<Row> prompts, List<String> teachers, Dataset<Row> windowIds,
      List<java.sql.Date> dates) {
    String in = String.join(", ", teachers.stream().map(t -> "'" + t.replace("'", "''") + "'").toList());
    String onDates = dates == null ? "" : " AND " + DatePartitions.in("date", dates);
    Lakehouse.Synced q = lh.sync(qa, Tables.QA_CANDIDATES, List.of("qa_id"), "teacher IN (" + in + ")" + onDates,
        windowIds, List.of("date"));
    Lakehouse.Synced p = lh.sync(prompts, Tables.PROMPTS, List.of("window_id", "prompt_version"),
        "prompt_version = '" + WindowPrompt.VERSION + "'" + onDates, windowIds, List.of("date"));
    return new Written(q, p);
  }
}
