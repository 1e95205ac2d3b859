package io.aisdistill.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.qa.WindowPrompt;
import io.aisdistill.common.track.TrackWindow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.Encoders;
import org.apache.spark.storage.StorageLevel;

/**
 * Stage 3, generate: {@code track_windows} to {@code qa_candidates} with the offline grounded
 * teacher ({@link GroundedTeacher}: answers computed from the window facts), and to
 * {@code teacher_prompts}: the versioned prompt ({@link WindowPrompt#VERSION}) an LLM teacher
 * receives for each window. Both are merged on deterministic keys (qa_id; window_id +
 * prompt_version), so reruns add nothing.
 */
public final class GenerateJob {
  private GenerateJob() {}

  /**
   * {@code spark-submit --class io.aisdistill.jobs.GenerateJob} entry point: the same options as
   * {@code ais-distill generate}; exits non-zero with a one-line reason on failure.
   */
  public static void main(String[] args) {
    Cli.main(Cli.prepend("generate", args));
  }

  static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * Runs the stage.
   *
   * @throws IllegalStateException when {@code track_windows} does not exist
   */
  public static StageReport run(SparkSession spark, Lakehouse lh, PipelineConfig cfg) {
    long t0 = System.currentTimeMillis();
    int perWindow = cfg.generate.maxPairsPerWindow;
    int perCategory = cfg.generate.maxPairsPerCategory;
    Dataset<Row> windows = lh.read(Tables.WINDOWS);
    FlatMapFunction<Row, Row> teach = r -> {
      TrackWindow w = Rows.window(r);
      LocalDate date = (LocalDate) r.get(r.fieldIndex("date"));
      List<Row> out = new ArrayList<>();
      for (QaPair q : new GroundedTeacher(perWindow, perCategory).generate(w)) {
        out.add(candidate(q, date, null, null, null));
      }
      return out.iterator();
    };
    Dataset<Row> qa = windows.flatMap(teach, Encoders.row(Tables.QA_CANDIDATES_SCHEMA))
        .persist(StorageLevel.MEMORY_AND_DISK());
    FlatMapFunction<Row, Row> prompt = r -> {
      WindowPrompt.Prompt p = WindowPrompt.build(Rows.window(r));
      Iterator<Row> one = List.of(RowFactory.create(r.getString(r.fieldIndex("window_id")), WindowPrompt.VERSION,
          p.system(), p.user(), p.sha256(), r.get(r.fieldIndex("date")))).iterator();
      return one;
    };
    Dataset<Row> prompts = windows.flatMap(prompt, Encoders.row(Tables.PROMPTS_SCHEMA));
    try {
      long windowsRead = windows.count();
      Map<String, Long> byCategory = new TreeMap<>();
      long total = 0;
      for (Row r : qa.groupBy("category").count().collectAsList()) {
        byCategory.put(r.getString(0), r.getLong(1));
        total += r.getLong(1);
      }
      long newQa = lh.insertNew(qa, Tables.QA_CANDIDATES, List.of("qa_id"), List.of("date"));
      long newPrompts = lh.insertNew(prompts, Tables.PROMPTS, List.of("window_id", "prompt_version"), List.of("date"));
      StageReport rep = new StageReport("generate")
          .put("teacher", GroundedTeacher.TEACHER)
          .put("prompt_version", WindowPrompt.VERSION)
          .put("windows_read", windowsRead)
          .put("qa_generated", total)
          .put("qa_new_in_table", newQa)
          .put("prompts_new_in_table", newPrompts)
          .put("llm_calls", 0)
          .put("tokens", 0)
          .put("cost_usd", 0.0);
      byCategory.forEach((k, v) -> rep.put("qa." + k, v));
      return rep.elapsedMs(System.currentTimeMillis() - t0);
    } finally {
      qa.unpersist();
    }
  }

  /**
   * A QA pair as a {@code qa_candidates} row.
   *
   * @param callId the llm_calls id (null for the grounded teacher)
   * @param tokens tokens spent (null for the grounded teacher)
   * @param costUsd USD spent (null for the grounded teacher)
   */
  static Row candidate(QaPair q, LocalDate date, String callId, Long tokens, Double costUsd) {
    String facts;
    try {
      facts = JSON.writeValueAsString(q.facts() == null ? Map.of() : q.facts());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("facts of " + q.qaId() + " are not serializable: " + e.getMessage(), e);
    }
    return RowFactory.create(q.qaId(), q.windowId(), q.mmsi(), q.category().label(), q.question(), q.answer(),
        q.reasoning(), q.teacher(), q.promptVersion(), q.templateId(), q.claimKind(), q.claim(), q.unit(),
        q.factKey(), facts, callId, tokens, costUsd, date);
  }
}
