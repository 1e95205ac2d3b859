package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.generate.GenerateStage;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.text.TokenCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The select stage on the samples' windows: a rerun writes the same selection, budgets and the
 * stopped cap hold in the table, generate reads only the selected windows and refuses a stale
 * selection; and against a loopback server, a USD budget counted from the calls actually made,
 * with grounded and LLM teachers mixed in one generate run.
 */
class SelectJobTest {
  @TempDir Path tmp;

  static List<String> rows(Dataset<Row> d) {
    List<String> out = new ArrayList<>(d.collectAsList().stream().map(Row::toString).toList());
    out.sort(null);
    return out;
  }

  static Set<String> ids(Dataset<Row> d) {
    Set<String> s = new HashSet<>();
    for (Row r : d.select("window_id").collectAsList()) {
      s.add(r.getString(0));
    }
    return s;
  }

  @Test
  void rerunSelectsTheSameWindowsWithinCapsAndGenerateReadsOnlyThem() throws Exception {
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
    assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--run-id", "all"));
    Set<String> unlimited = ids(lh.read(Tables.WINDOW_SELECTION).filter("selected"));
    String[] budgeted = {"select", "--lakehouse", lh.root(), "--run-id", "s1", "--set", "select.max_windows=40"};
    assertEquals(0, Cli.execute(budgeted));
    List<String> first = rows(lh.read(Tables.WINDOW_SELECTION).drop("run_id"));
    long version = lh.version(Tables.WINDOW_SELECTION);
    assertEquals(0, Cli.execute(budgeted[0], budgeted[1], budgeted[2], budgeted[3], "s2", budgeted[5], budgeted[6]));
    assertEquals(version + 1, lh.version(Tables.WINDOW_SELECTION));
    assertEquals(first, rows(lh.read(Tables.WINDOW_SELECTION).drop("run_id")), "a rerun selects the same");

    Dataset<Row> s = lh.read(Tables.WINDOW_SELECTION);
    assertEquals(ids(lh.read(Tables.WINDOWS)), ids(s), "one row per window");
    assertEquals(s.count(), ids(s).size());
    long selected = s.filter("selected").count();
    assertEquals(Math.min(40, unlimited.size()), selected);
    assertTrue(unlimited.size() > 40 && unlimited.containsAll(ids(s.filter("selected"))), "a budget cuts a prefix");
    assertTrue(s.filter("selected AND behaviour = 'stopped'").count() <= 0.15 * selected, "stopped cap");
    assertEquals(0, s.filter("selected <> (reason = 'SELECTED')").count());
    assertTrue(s.filter("reason = 'OVER_BUDGET'").count() > 0);
    assertTrue(s.filter("reason = 'STOPPED_CAP'").count() > 0, "the samples hold many stopped windows");
    assertTrue(s.filter("reason = 'NEAR_DUPLICATE'").count() > 10, "moored vessels of the samples repeat windows");
    // every near duplicate repeats an earlier stopped window of its vessel in the same cell
    Dataset<Row> dup = s.filter("reason = 'NEAR_DUPLICATE'").alias("d")
        .join(s.alias("f"), col("d.duplicate_of").equalTo(col("f.window_id")));
    assertEquals(s.filter("reason = 'NEAR_DUPLICATE'").count(), dup.filter("d.mmsi = f.mmsi AND d.cell = f.cell "
        + "AND d.start_ts > f.start_ts AND f.behaviour = 'stopped' AND d.behaviour = 'stopped'").count());
    // strata agree with the stored features
    assertEquals(0, s.filter(functions.concat_ws("|", col("behaviour"), col("ship_group"), col("region"),
        col("hour_bucket")).notEqual(col("stratum"))).count());
    assertEquals(0, s.filter("est_calls <> 0 OR est_usd <> 0 OR est_prompt_tokens IS NOT NULL").count(),
        "no teacher file: the grounded teacher, no calls");

    // select's commit records the track_windows version and digest it selected from (generate reuses the digest)
    com.fasterxml.jackson.databind.JsonNode made = io.aisdistill.jobs.lakehouse.CommitMetadata.last(lh,
        Tables.WINDOW_SELECTION, 1, "windows_version", "windows_digest");
    assertEquals(lh.version(Tables.WINDOWS), made.get("windows_version").asLong());
    assertEquals(s.select("windows_digest").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList(),
        List.of(made.get("windows_digest").asText()));

    assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root()));
    Set<String> withQa = ids(lh.read(Tables.QA_CANDIDATES));
    assertTrue(!withQa.isEmpty() && ids(s.filter("selected")).containsAll(withQa), "QA only for selected windows");
    assertEquals(selected, ids(lh.read(Tables.PROMPTS)).size());

    // another seed orders the strata otherwise (s reads the table's latest version: ids first)
    Set<String> seed42 = ids(s.filter("selected"));
    assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--set", "select.max_windows=40",
        "--set", "select.seed=7"));
    Set<String> seed7 = ids(lh.read(Tables.WINDOW_SELECTION).filter("selected"));
    assertEquals(40, seed7.size());
    assertNotEquals(seed42, seed7);

    // select.scope=day (budgets per UTC day of window start; WindowSelectorTest and DistributedSelectorTest
    // check several days): the samples' windows start on one UTC day, so it selects as the whole-set scope does
    assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--set", "select.max_windows=40",
        "--set", "select.scope=day"));
    Dataset<Row> day = lh.read(Tables.WINDOW_SELECTION);
    assertEquals(1, day.select(functions.expr("floor(unix_millis(start_ts) / 86400000)")).distinct().count());
    assertEquals(seed42, ids(day.filter("selected")));

    // a stale selection (track_windows changed since) is refused
    io.delta.tables.DeltaTable.forPath(SparkTestSession.get(), lh.path(Tables.WINDOWS))
        .delete(col("window_id").equalTo(withQa.iterator().next()));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new GenerateStage(null).run(new StageContext(SparkTestSession.get(), lh, SparkTestSession.config(), "generate")));
    assertTrue(e.getMessage().contains("run select again"), e.getMessage());
  }

  static final double A_IN = 2.5;
  static final double A_OUT = 10;
  static final double B_IN = 1.1;
  static final double B_OUT = 4.4;

  /** A mix: loop-a and grounded share the windows; loop-b gets every window and keeps kinematics. */
  static Path mixFile(Path dir, String baseUrl, double priceScale) throws Exception {
    String yaml = """
        tokenizer: %s
        tasks: 1
        commit_interval_s: 2
        progress_interval_s: 1
        models:
          - name: loop-a
            role: generate
            base_url: %s
            model: loop-model-a
            api_key_env: AIS_DISTILL_TEST_API_KEY
            share: 0.5
            price_in_per_mtok: %s
            price_out_per_mtok: %s
            max_tokens: 1024
            timeout_s: 5
          - name: loop-b
            role: generate
            base_url: %s
            model: loop-model-b
            api_key_env: AIS_DISTILL_TEST_API_KEY
            categories: [kinematics]
            price_in_per_mtok: %s
            price_out_per_mtok: %s
            max_tokens: 512
            timeout_s: 5
          - kind: grounded
            share: 0.5
        """.formatted(LlmFixture.tokenizer(), baseUrl, A_IN * priceScale, A_OUT, baseUrl, B_IN, B_OUT);
    Path f = dir.resolve("mix-" + priceScale + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  /**
   * The worst-case USD of LLM calls as sent: per llm_calls row, the request_json's messages counted
   * as the client counts them (Qwen2.5 ChatML, or chars/4 without a tokenizer) times the input
   * price, plus the request's max_tokens times the output price.
   *
   * @param prices per teacher: {USD per million input tokens, USD per million output tokens}
   */
  static double worstCaseUsd(Dataset<Row> calls, String tokenizer, Map<String, double[]> prices) throws Exception {
    Tokens tokens = Tokens.forPath(tokenizer);
    double worst = 0;
    for (Row r : calls.select("teacher", "request_json").collectAsList()) {
      JsonNode body = ChatCall.JSON.readTree(r.getString(1));
      List<TokenCounter.Message> m = new ArrayList<>();
      body.path("messages").forEach(x -> m.add(new TokenCounter.Message(x.path("role").asText(), x.path("content").asText())));
      double[] p = prices.get(r.getString(0));
      worst += (tokens.prompt(m) * p[0] + body.path("max_tokens").asLong() * p[1]) / 1e6;
    }
    return worst;
  }

  @Test
  void usdBudgetHoldsForTheCallsMadeAndOneRunMixesGroundedAndLlmTeachers() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
    try (LoopbackChatServer server = new LoopbackChatServer(LoopbackChatServer::teacherReply, 5)) {
      Path teachers = mixFile(tmp, server.baseUrl(), 1);
      assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString()));
      double all = lh.read(Tables.WINDOW_SELECTION).filter("selected").agg(functions.sum("est_usd")).first().getDouble(0);
      double budget = Math.round(all / 4 * 1e4) / 1e4;
      assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
          "--set", "select.max_usd=" + budget));
      assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString()));

      Dataset<Row> sel = lh.read(Tables.WINDOW_SELECTION);
      Dataset<Row> chosen = sel.filter("selected");
      Row est = chosen.agg(functions.sum("est_calls"), functions.sum("est_usd")).first();
      assertTrue(sel.filter("reason = 'OVER_BUDGET'").count() > 0, "the budget binds");
      assertTrue(est.getDouble(1) <= budget, est + " over " + budget);
      Dataset<Row> calls = lh.read(Tables.LLM_CALLS).filter("purpose = 'generate'");
      assertEquals(est.getLong(0), calls.count(), "calls made = calls planned by the selection");
      assertEquals(est.getLong(0), server.okPerCall.size(), "calls answered by the server");
      assertEquals(0, calls.join(sel.filter("NOT selected"), "window_id").count(), "no call for an unselected window");
      double paid = calls.agg(functions.sum("cost_usd")).first().getDouble(0);
      assertTrue(paid > 0 && paid <= budget, "paid " + paid + " of " + budget);
      double worst = worstCaseUsd(calls, LlmFixture.tokenizer(),
          Map.of("loop-a", new double[] {A_IN, A_OUT}, "loop-b", new double[] {B_IN, B_OUT}));
      assertEquals(est.getDouble(1), worst, 1e-9, "the selection's estimate is the calls' worst case");
      assertTrue(worst <= budget);

      // teacher mix: grounded pairs and both LLM teachers' pairs from one run
      Dataset<Row> qa = lh.read(Tables.QA_CANDIDATES);
      Map<String, Long> byTeacher = new java.util.TreeMap<>();
      for (Row r : qa.groupBy("teacher").count().collectAsList()) {
        byTeacher.put(r.getString(0), r.getLong(1));
      }
      assertEquals(Set.of("grounded", "loop-a", "loop-b"), byTeacher.keySet(), byTeacher.toString());
      assertEquals(0, qa.filter("teacher = 'grounded' AND (call_id IS NOT NULL OR cost_usd IS NOT NULL)").count());
      assertEquals(0, qa.filter("teacher = 'loop-b' AND category <> 'kinematics'").count());
      assertEquals(0, chosen.filter(functions.size(col("teachers")).notEqual(2)
          .or(array_contains(col("teachers"), "loop-b").equalTo(false))
          .or(array_contains(col("teachers"), "grounded").equalTo(array_contains(col("teachers"), "loop-a")))).count(),
          "every window: loop-b and one of grounded / loop-a");
      assertEquals(0, qa.join(sel, "window_id").filter(functions.not(array_contains(col("teachers"), col("teacher"))))
          .count(), "each pair from a teacher of its window");
      assertEquals(ids(chosen.filter(array_contains(col("teachers"), "grounded"))),
          ids(qa.filter("teacher = 'grounded'")), "grounded pairs for the grounded windows");

      int before = server.requests.get();
      assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString()));
      assertEquals(before, server.requests.get(), "a rerun sends nothing");
      // generate with other prices than the selection was made for: refused (the budget would not hold)
      TeacherConfig dearer = TeacherConfig.load(mixFile(tmp, server.baseUrl(), 3));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> new GenerateStage(dearer).run(new StageContext(spark, lh, SparkTestSession.config(), "x")));
      assertTrue(e.getMessage().contains("another teacher file"), e.getMessage());
    }
  }
}
