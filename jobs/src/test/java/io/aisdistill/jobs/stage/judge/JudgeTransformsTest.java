package io.aisdistill.jobs.stage.judge;

import static io.aisdistill.jobs.stage.select.TestWindowRows.T0;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.SparkTestSession;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.select.TestWindowRows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aisdistill.common.qa.GroundedTeacher;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.track.TrackWindow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@link JudgeTransforms} on hand-made windows and rows, without a lakehouse or a server: the
 * grounded checks pass the grounded teacher's pairs and catch a wrong number, exact and near
 * duplicates stay within one vessel, the LLM verdict of each call outcome, and the qa_judged rows
 * they add up to.
 */
class JudgeTransformsTest {
  private static final PipelineConfig.JudgeSection JC = SparkTestSession.config().judge;
  private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final TrackWindow UNDERWAY = TestWindowRows.underway(636000002L, T0, 55.5, 11.0);
  private static final StructType TEXT = new StructType().add("qa_id", DataTypes.StringType)
      .add("scope", DataTypes.LongType).add("start_ts", DataTypes.TimestampType).add("norm", DataTypes.StringType);

  /** A window start {@code h} hours after 2024-01-01T00:00Z. */
  private static java.sql.Timestamp at(int h) {
    return java.sql.Timestamp.from(java.time.Instant.parse("2024-01-01T00:00:00Z").plusSeconds(3600L * h));
  }

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  /** A pair as a qa_candidates row of the grounded teacher. */
  private static Row candidate(QaPair q, String qaId, String answer) throws Exception {
    return RowFactory.create(qaId, q.windowId(), q.mmsi(), q.category().label(), q.question(), answer, q.reasoning(),
        q.teacher(), q.promptVersion(), q.templateId(), q.claimKind(), q.claim(), q.unit(), q.factKey(),
        JSON.writeValueAsString(q.facts() == null ? Map.of() : q.facts()), null, null, null,
        LocalDate.parse(UNDERWAY.date()));
  }

  /** A numeric pair whose answer states its claim. */
  private static QaPair numeric(List<QaPair> pairs) {
    return pairs.stream().filter(q -> "number".equals(q.claimKind()) && q.claim() != null && q.answer().contains(q.claim()))
        .findFirst().orElseThrow(() -> new AssertionError("no numeric pair in " + pairs));
  }

  /**
   * The grounded teacher's pairs of the underway window, a copy of the first (a larger qa_id,
   * same text) and the numeric pair with its number changed ("zz-wrong").
   */
  private static Dataset<Row> candidates(List<QaPair> pairs) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (QaPair q : pairs) {
      rows.add(candidate(q, q.qaId(), q.answer()));
    }
    rows.add(candidate(pairs.get(0), "zz-copy", pairs.get(0).answer()));
    QaPair n = numeric(pairs);
    rows.add(candidate(n, "zz-wrong", n.answer().replace(n.claim(), "777.7")));
    return spark().createDataFrame(rows, Tables.QA_CANDIDATES_SCHEMA);
  }

  private static Map<String, Row> byQaId(List<Row> rows) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : rows) {
      m.put(r.getString(r.fieldIndex("qa_id")), r);
    }
    return m;
  }

  private static List<String> reasons(Row r, String column) {
    return r.getList(r.fieldIndex(column));
  }

  @Test
  void groundedChecksPassTheTeachersPairsAndCatchAWrongNumber() throws Exception {
    List<QaPair> pairs = new GroundedTeacher().generate(UNDERWAY);
    Dataset<Row> joined = JudgeTransforms.withWindows(candidates(pairs), TestWindowRows.rows(UNDERWAY));
    Dataset<Row> g = JudgeTransforms.grounded(joined);
    List<String> cols = new ArrayList<>(Arrays.asList(JudgeTransforms.GROUNDED_SCHEMA.fieldNames()));
    cols.add("norm");
    assertEquals(cols, Arrays.asList(g.columns()));
    Map<String, Row> out = byQaId(g.collectAsList());
    assertEquals(pairs.size() + 2, out.size());
    for (QaPair q : pairs) {
      assertEquals(List.of(), reasons(out.get(q.qaId()), "grounded_reasons"), q.toString());
    }
    assertTrue(reasons(out.get("zz-wrong"), "grounded_reasons").contains("CLAIM_MISMATCH"),
        out.get("zz-wrong").toString());
    Row copy = out.get("zz-copy");
    assertEquals(out.get(pairs.get(0).qaId()).getString(copy.fieldIndex("norm")), copy.getString(copy.fieldIndex("norm")));
    String norm = copy.getString(copy.fieldIndex("norm"));
    assertEquals(norm.toLowerCase().trim().replaceAll("\\s+", " "), norm, "lower case, white space collapsed");
    assertTrue(norm.contains(" || "));

    List<Row> passed = JudgeTransforms.passed(g).collectAsList();
    assertEquals(pairs.size() + 1, passed.size(), "all but the wrong number");
  }

  @Test
  void exactAndNearDuplicatesStayWithinOneVessel() {
    String text = "what was the mean speed over ground of the vessel during the observed window of about fifty "
        + "minutes in the kattegat || the mean speed over ground was 10.0 knots while it sailed due east at "
        + "a steady pace with no stops and no turns";
    Dataset<Row> rows = spark().createDataFrame(List.of(
        RowFactory.create("a", 1L, at(1), text),
        RowFactory.create("e", 1L, at(2), text),                                // exact copy of a, same vessel
        RowFactory.create("b", 1L, at(3), text.replace("no turns", "no bends")), // one word changed
        RowFactory.create("c", 1L, at(4), "which vessel is this window about || the vessel with mmsi 1"),
        RowFactory.create("d", 2L, at(1), text)), TEXT);                        // same text, other vessel

    Map<String, Row> exact = byQaId(JudgeTransforms.exactDuplicates(rows).withColumnRenamed("d_qa_id", "qa_id")
        .collectAsList());
    assertEquals(List.of("e"), new ArrayList<>(exact.keySet()));
    assertEquals("a", exact.get("e").getString(exact.get("e").fieldIndex("exact_of")));
    Dataset<Row> unique = JudgeTransforms.firstOfEach(rows);
    assertEquals(List.of("qa_id", "scope", "start_ts", "norm"), Arrays.asList(unique.columns()));
    assertEquals(List.of("a", "b", "c", "d"),
        unique.orderBy("qa_id").select("qa_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());

    List<Row> near = JudgeTransforms.nearDuplicates(unique, JC.nearDuplicateSimilarity, JC.minhashTables)
        .collectAsList();
    assertEquals(1, near.size(), near.toString());
    assertEquals("b", near.get(0).getString(near.get(0).fieldIndex("n_qa_id")));
    assertEquals("a", near.get(0).getString(near.get(0).fieldIndex("near_of")));
  }

  /**
   * Near duplicates of one vessel's 60 variants of a sentence (random words replaced, random window
   * starts) equal a brute-force search written independently here (every older pair, word 3-gram sets
   * compared in plain Java): each pair's near_of is its oldest neighbour with a Jaccard similarity of
   * at least the threshold.
   */
  @Test
  void nearDuplicatesNameTheOldestSimilarPairAsABruteForceSearchDoes() {
    String[] base = ("the vessel kept a mean speed over ground of about twelve knots on a course of ninety degrees true "
        + "through the whole window and reported no change of navigational status before it reached the anchorage")
        .split(" ");
    java.util.Random rnd = new java.util.Random(20261205L);
    List<Integer> hours = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      hours.add(i);
    }
    java.util.Collections.shuffle(hours, rnd);
    List<Row> rows = new ArrayList<>();
    // the oldest pair of each text (window start, then qa_id), as firstOfEach keeps it
    Map<String, Object[]> firstOfText = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      String[] w = base.clone();
      int changes = rnd.nextInt(6);
      for (int c = 0; c < changes; c++) {
        w[rnd.nextInt(w.length)] = "w" + rnd.nextInt(1000);
      }
      String id = String.format("p%02d", i);
      String text = String.join(" ", w);
      rows.add(RowFactory.create(id, 7L, at(hours.get(i)), text));
      Object[] seen = firstOfText.get(text);
      if (seen == null || (int) seen[1] > hours.get(i)) {
        firstOfText.put(text, new Object[] {id, hours.get(i), text});
      }
    }
    Dataset<Row> unique = JudgeTransforms.firstOfEach(spark().createDataFrame(rows, TEXT));
    double sim = JC.nearDuplicateSimilarity;
    Map<String, String> expected = new java.util.TreeMap<>();
    for (Object[] b : firstOfText.values()) {
      Object[] best = null;
      for (Object[] a : firstOfText.values()) {
        // hours are distinct, so the window start alone orders them
        if ((int) a[1] < (int) b[1] && jaccard3((String) a[2], (String) b[2]) >= sim
            && (best == null || (int) a[1] < (int) best[1])) {
          best = a;
        }
      }
      if (best != null) {
        expected.put((String) b[0], (String) best[0]);
      }
    }
    Map<String, String> actual = new java.util.TreeMap<>();
    for (Row r : JudgeTransforms.nearDuplicates(unique, sim, JC.minhashTables).collectAsList()) {
      actual.put(r.getString(r.fieldIndex("n_qa_id")), r.getString(r.fieldIndex("near_of")));
    }
    assertTrue(expected.size() >= 10, "the variants must include near duplicates: " + expected);
    assertEquals(expected, actual);
  }

  /** Jaccard similarity of the word 3-gram sets (words: runs of letters, digits and '.') of two texts. */
  private static double jaccard3(String x, String y) {
    java.util.Set<String> a = grams3(x);
    java.util.Set<String> b = grams3(y);
    java.util.Set<String> both = new java.util.HashSet<>(a);
    both.retainAll(b);
    java.util.Set<String> any = new java.util.HashSet<>(a);
    any.addAll(b);
    return any.isEmpty() ? 0 : (double) both.size() / any.size();
  }

  private static java.util.Set<String> grams3(String text) {
    List<String> words = Arrays.stream(text.split("[^\\p{L}\\p{N}.]+")).filter(w -> !w.isEmpty()).toList();
    java.util.Set<String> g = new java.util.HashSet<>();
    for (int i = 0; i + 2 < words.size(); i++) {
      g.add(words.get(i) + " " + words.get(i + 1) + " " + words.get(i + 2));
    }
    return g;
  }

  @Test
  void theOlderPairIsKeptWhateverItsQaId() {
    String text = "what was the mean speed over ground of the vessel during the observed window of about fifty "
        + "minutes in the kattegat || the mean speed over ground was 10.0 knots while it sailed due east at "
        + "a steady pace with no stops and no turns";
    String other = text.replace("no turns", "no bends");
    // z's window starts first: a later day's pair (a, smaller qa_id) must not take its place
    Dataset<Row> rows = spark().createDataFrame(List.of(
        RowFactory.create("z", 1L, at(1), text),
        RowFactory.create("a", 1L, at(5), text),
        RowFactory.create("y", 1L, at(2), other),
        RowFactory.create("b", 1L, at(6), other)), TEXT);
    Map<String, Row> exact = byQaId(JudgeTransforms.exactDuplicates(rows).withColumnRenamed("d_qa_id", "qa_id")
        .collectAsList());
    assertEquals(java.util.Set.of("a", "b"), exact.keySet());
    assertEquals("z", exact.get("a").getString(exact.get("a").fieldIndex("exact_of")));
    assertEquals("y", exact.get("b").getString(exact.get("b").fieldIndex("exact_of")));
    Dataset<Row> unique = JudgeTransforms.firstOfEach(rows);
    Map<String, Row> near = byQaId(JudgeTransforms.nearDuplicates(unique, JC.nearDuplicateSimilarity, JC.minhashTables)
        .withColumnRenamed("n_qa_id", "qa_id").collectAsList());
    assertEquals(java.util.Set.of("y"), near.keySet(), "y (2 h) is near z (1 h), not the other way round");
    assertEquals("z", near.get("y").getString(near.get("y").fieldIndex("near_of")));

    // an increment checks only the listed pairs, against all of them
    StructType ids = new StructType().add("qa_id", DataTypes.StringType);
    assertEquals(List.of("y"), JudgeTransforms.nearDuplicates(unique, JC.nearDuplicateSimilarity, JC.minhashTables,
        spark().createDataFrame(List.of(RowFactory.create("y")), ids)).select("n_qa_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertEquals(0, JudgeTransforms.nearDuplicates(unique, JC.nearDuplicateSimilarity, JC.minhashTables,
        spark().createDataFrame(List.of(RowFactory.create("z")), ids)).count(), "z has no older neighbour");

    JudgeTransforms.MinHashed sig = JudgeTransforms.minHashed(unique, JC.minhashTables);
    // the same rows whether the checked/changed pairs are broadcast (an increment's few) or not; no broadcast
    // but the hinted ones here (these rows are tiny: Spark would broadcast them all by itself)
    String threshold = "spark.sql.autoBroadcastJoinThreshold";
    String before = spark().conf().get(threshold);
    spark().conf().set(threshold, "-1");
    try {
      for (boolean small : new boolean[] {false, true}) {
        Dataset<Row> nearY = JudgeTransforms.nearDuplicates(sig, JC.nearDuplicateSimilarity,
            spark().createDataFrame(List.of(RowFactory.create("y")), ids), small);
        assertEquals(List.of("y"), nearY.select("n_qa_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertEquals(small, nearY.queryExecution().executedPlan().toString().contains("BroadcastHashJoin"),
            "broadcast joins exactly when small: " + small);
        // a change to a pair can alter the younger pairs like it: z's a (same text) and y (near: the oldest of its
        // text), y's b (same text; a is an exact duplicate of z whatever y is), b's none (the youngest)
        Dataset<Row> byZ = JudgeTransforms.affected(rows, sig,
            spark().createDataFrame(List.of(RowFactory.create("z")), ids), JC.nearDuplicateSimilarity, small);
        assertEquals(java.util.Set.of("a", "y"), new java.util.TreeSet<>(byZ
            .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()));
        assertEquals(small, byZ.queryExecution().executedPlan().toString().contains("BroadcastHashJoin"),
            "broadcast joins exactly when small: " + small);
        assertEquals(java.util.Set.of("b"), new java.util.TreeSet<>(JudgeTransforms.affected(rows, sig,
            spark().createDataFrame(List.of(RowFactory.create("y")), ids), JC.nearDuplicateSimilarity, small)
            .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()));
        assertEquals(0, JudgeTransforms.affected(rows, sig, spark().createDataFrame(List.of(RowFactory.create("b")),
            ids), JC.nearDuplicateSimilarity, small).count());
      }
    } finally {
      spark().conf().set(threshold, before);
    }
  }

  @Test
  void llmVerdictsFollowTheCallsOutcomeAndScores() {
    StructType planSchema = new StructType().add("call_id", DataTypes.StringType).add("qa_id", DataTypes.StringType);
    Dataset<Row> plan = spark().createDataFrame(List.of(RowFactory.create("c1", "q1"), RowFactory.create("c2", "q2"),
        RowFactory.create("c3", "q3"), RowFactory.create("c4", "q4"), RowFactory.create("c5", "q5")), planSchema);
    StructType callsSchema = new StructType().add("call_id", DataTypes.StringType).add("status", DataTypes.StringType)
        .add("content", DataTypes.StringType).add("model", DataTypes.StringType);
    Dataset<Row> calls = spark().createDataFrame(List.of(
        RowFactory.create("c1", "ok", "{\"faithfulness\": 5, \"answerability\": 5, \"format\": 4, \"justification\": \"ok\"}", "m"),
        RowFactory.create("c2", "ok", "{\"faithfulness\": 5, \"answerability\": 2, \"format\": 5, \"justification\": \"vague\"}", "m"),
        RowFactory.create("c3", "ok", "I think it is fine.", "m"),
        RowFactory.create("c4", "http_error", null, "m")), callsSchema);   // c5: never answered

    Map<String, Row> v = byQaId(JudgeTransforms.llmVerdicts(calls, plan, 4.0).withColumnRenamed("l_qa_id", "qa_id")
        .collectAsList());
    assertNull(v.get("q1").get(v.get("q1").fieldIndex("llm_reason")));
    assertEquals(4.0, v.get("q1").<String, Double>getJavaMap(v.get("q1").fieldIndex("llm_scores")).get("format"));
    assertEquals("m", v.get("q1").getString(v.get("q1").fieldIndex("llm_model")));
    assertEquals("LLM_JUDGE_LOW_SCORE", v.get("q2").getString(v.get("q2").fieldIndex("llm_reason")));
    assertEquals("LLM_JUDGE_UNPARSEABLE", v.get("q3").getString(v.get("q3").fieldIndex("llm_reason")));
    assertEquals("LLM_JUDGE_FAILED", v.get("q4").getString(v.get("q4").fieldIndex("llm_reason")));
    assertEquals("LLM_JUDGE_FAILED", v.get("q5").getString(v.get("q5").fieldIndex("llm_reason")));
    assertNull(v.get("q5").get(v.get("q5").fieldIndex("llm_scores")));
    assertTrue(JudgeTransforms.llmVerdicts(null, plan, 4.0).collectAsList().stream()
        .allMatch(r -> "LLM_JUDGE_FAILED".equals(r.getString(2))), "no llm_calls table: every pair failed");
  }

  @Test
  void judgedRowsCarryTheDuplicatesTheLlmReasonAndTheVerdict() throws Exception {
    List<QaPair> pairs = new GroundedTeacher().generate(UNDERWAY);
    assertTrue(pairs.size() >= 3, pairs.toString());
    Dataset<Row> joined = JudgeTransforms.withWindows(candidates(pairs), TestWindowRows.rows(UNDERWAY));
    Dataset<Row> g = JudgeTransforms.grounded(joined);
    Dataset<Row> passed = JudgeTransforms.passed(g).withColumn("start_ts", org.apache.spark.sql.functions.lit(at(0)))
        .withColumn("scope", col("mmsi"));
    Dataset<Row> exact = JudgeTransforms.exactDuplicates(passed);
    // near duplicates are covered above; here the text of one pair is "near" another's
    String nearOne = pairs.get(1).qaId();
    Dataset<Row> near = spark().createDataFrame(List.of(RowFactory.create(nearOne, pairs.get(0).qaId())),
        new StructType().add("n_qa_id", DataTypes.StringType).add("near_of", DataTypes.StringType));
    String low = pairs.get(pairs.size() - 1).qaId();
    Dataset<Row> llm = spark().createDataFrame(List.of(RowFactory.create(low,
        scala.jdk.javaapi.CollectionConverters.asScala(Map.of("faithfulness", 2.0)), "LLM_JUDGE_LOW_SCORE", "judge-m")),
        JudgeTransforms.LLM_SCHEMA);

    Dataset<Row> judged = JudgeTransforms.judged(JudgeTransforms.withLlm(g, llm), exact, near, 1.0);
    assertEquals(Arrays.asList(Tables.QA_JUDGED_SCHEMA.fieldNames()), Arrays.asList(judged.columns()));
    Map<String, Row> out = byQaId(judged.collectAsList());
    assertEquals(pairs.size() + 2, out.size());
    Row copy = out.get("zz-copy");
    assertEquals(List.of("DUPLICATE_EXACT"), reasons(copy, "reasons"));
    assertEquals(pairs.get(0).qaId(), copy.getString(copy.fieldIndex("duplicate_of")));
    assertEquals("rejected", copy.getString(copy.fieldIndex("verdict")));
    assertTrue(reasons(out.get("zz-wrong"), "reasons").contains("CLAIM_MISMATCH"));
    Row lowRow = out.get(low);
    assertEquals(List.of("LLM_JUDGE_LOW_SCORE"), reasons(lowRow, "reasons"));
    assertEquals("grounded-v1+judge-m", lowRow.getString(lowRow.fieldIndex("judge_model")));
    assertNotNull(lowRow.get(lowRow.fieldIndex("judge_scores")));
    Row nearRow = out.get(nearOne);
    assertEquals(List.of("NEAR_DUPLICATE"), reasons(nearRow, "reasons"));
    assertEquals(pairs.get(0).qaId(), nearRow.getString(nearRow.fieldIndex("duplicate_of")));
    assertEquals("rejected", nearRow.getString(nearRow.fieldIndex("verdict")));
    for (QaPair q : pairs.subList(0, pairs.size() - 1)) {
      if (q.qaId().equals(nearOne)) {
        continue;
      }
      Row r = out.get(q.qaId());
      assertEquals("accepted", r.getString(r.fieldIndex("verdict")), r.toString());
      assertEquals(JudgeTransforms.GROUNDED_JUDGE, r.getString(r.fieldIndex("judge_model")));
      assertTrue(r.isNullAt(r.fieldIndex("duplicate_of")));
    }
  }

  /** A {@link JudgeTransforms#withDuplicates} row (qa_judged's columns but verdict, with template_id and claim). */
  private static Row unbalancedRow(String qaId, String template, String claim, List<String> reasons) {
    return unbalancedRow(qaId, template, claim, reasons, "2024-01-01");
  }

  private static Row unbalancedRow(String qaId, String template, String claim, List<String> reasons, String date) {
    return RowFactory.create(qaId, "w-" + qaId, 636000000L + qaId.hashCode() % 7, "kinematics", "grounded", "q?", claim,
        reasons, null, null, null,
        List.<String>of(), null, "grounded", null,
        java.sql.Date.valueOf(date), template, claim);
  }

  private static StructType unbalancedSchema() {
    StructType s = new StructType();
    for (var f : Tables.QA_JUDGED_SCHEMA.fields()) {
      if (!f.name().equals("verdict")) {
        s = s.add(f.name(), f.dataType());
      }
    }
    return s.add("template_id", DataTypes.StringType).add("claim", DataTypes.StringType);
  }

  /**
   * The narrow duplicate input of stored verdicts ({@link JudgeTransforms#dupInputFromJudged}, what an
   * incremental run reads of a vessel's history) equals the one made the long way, through the
   * per-pair rows ({@code dupInput(perPairFromJudged(judged, candidates), windows)}), on reasons of
   * every kind: none, null, LLM only, duplicate and balance reasons (removed first), a grounded reason,
   * and a pair whose window is gone.
   */
  @Test
  void theNarrowDuplicateInputOfStoredVerdictsEqualsThePerPairOne() {
    List<List<String>> kinds = java.util.Arrays.asList(List.of(), null, List.of("LLM_JUDGE_LOW_SCORE"),
        List.of("NEAR_DUPLICATE"), List.of("DUPLICATE_EXACT", "LLM_JUDGE_FAILED"), List.of("ANSWER_BALANCE"),
        List.of("CLAIM_MISMATCH"), List.of("CLAIM_MISMATCH", "DUPLICATE_EXACT"));
    java.util.Random rnd = new java.util.Random(5);
    List<Row> rows = new ArrayList<>();
    List<Row> windows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      String id = "p" + i;
      rows.add(unbalancedRow(id, "t" + rnd.nextInt(2), rnd.nextBoolean() ? "12.5 Knots" : "  west ", kinds.get(i % kinds.size()),
          "2024-01-0" + (1 + rnd.nextInt(4))));
      if (i != 16) {
        windows.add(RowFactory.create("w-" + id, at(rnd.nextInt(48))));
      }
    }
    Dataset<Row> u = spark().createDataFrame(rows, unbalancedSchema());
    Dataset<Row> judged = u.withColumn("verdict", org.apache.spark.sql.functions.lit("rejected"))
        .select(Arrays.stream(Tables.QA_JUDGED_SCHEMA.fieldNames()).map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new));
    Dataset<Row> cands = u.select("qa_id", "template_id", "claim");
    Dataset<Row> win = spark().createDataFrame(windows, new StructType().add("window_id", DataTypes.StringType)
        .add("start_ts", DataTypes.TimestampType));

    for (int horizon : new int[] {0, 2}) {   // the scope: the MMSI, or the MMSI and 2-day period
      List<String> want = JudgeTransforms.dupInput(JudgeTransforms.perPairFromJudged(judged, cands), win, horizon)
          .orderBy("qa_id").collectAsList().stream().map(Row::toString).toList();
      List<String> got = JudgeTransforms.dupInputFromJudged(judged, win, horizon)
          .orderBy("qa_id").collectAsList().stream().map(Row::toString).toList();
      assertEquals(want, got);
      assertTrue(got.size() > 20 && got.size() < 60, "some pairs take part and some do not: " + got.size());
      assertTrue(got.stream().anyMatch(r -> r.startsWith("[p2,")), "a pair with an LLM reason only takes part");
    }
  }

  /**
   * The duplicate scope with a horizon ({@link JudgeTransforms#scope}), against its definition
   * computed here in plain Java: MMSI x 65,536 + floor(days since 1970-01-01 / N); and exact
   * duplicates over it are per vessel and period: a text repeated across a period boundary is not a
   * duplicate, within a period it is, and 0 keeps the whole history as one scope.
   */
  @Test
  void aDuplicateHorizonScopesDuplicatesToTumblingPeriodsOfUtcDates() {
    StructType in = new StructType().add("mmsi", DataTypes.LongType).add("date", DataTypes.DateType);
    List<Row> dates = new ArrayList<>();
    for (String d : List.of("1970-01-01", "1970-01-07", "1970-01-08", "2024-06-01", "2024-06-02", "2024-06-03",
        "2099-12-31")) {
      dates.add(RowFactory.create(366123456L, java.sql.Date.valueOf(d)));
      dates.add(RowFactory.create(1_073_741_823L, java.sql.Date.valueOf(d)));   // the largest 30-bit MMSI
    }
    Dataset<Row> df = spark().createDataFrame(dates, in);
    for (int n : new int[] {1, 2, 7, 30}) {
      for (Row r : df.select(col("mmsi"), col("date"), JudgeTransforms.scope(n)).collectAsList()) {
        long epochDay = LocalDate.parse(r.get(1).toString()).toEpochDay();
        assertEquals(r.getLong(0) * 65_536L + Math.floorDiv(epochDay, n) % 65_536L, r.getLong(2), n + " " + r);
      }
    }
    // the period of the driver (JudgeStage.horizonPeriods picks the dates an increment reads with it) and
    // the Spark column agree, before 1970 too
    Dataset<Row> days = spark().createDataFrame(Stream.of("1969-12-25", "1969-12-31", "1970-01-01", "1970-01-07",
        "2024-06-01", "2024-06-02").map(d -> RowFactory.create(java.sql.Date.valueOf(d))).toList(),
        new StructType().add("date", DataTypes.DateType));
    for (int n : new int[] {1, 2, 7, 30}) {
      for (Row r : days.select(col("date"), JudgeTransforms.period(col("date"), n)).collectAsList()) {
        assertEquals(JudgeTransforms.periodOf(LocalDate.parse(r.get(0).toString()), n), r.getLong(1), n + " " + r);
      }
    }
    assertEquals(List.of(9_937L, -1L, 0L), List.of(JudgeTransforms.periodOf(LocalDate.parse("2024-06-01"), 2),
        JudgeTransforms.periodOf(LocalDate.parse("1969-12-31"), 7), JudgeTransforms.periodOf(LocalDate.EPOCH, 7)));
    assertEquals(List.of(366123456L), df.select(JudgeTransforms.scope(0)).distinct()
        .where(col("scope").lt(400_000_000L)).as(org.apache.spark.sql.Encoders.LONG()).collectAsList());

    // 2024-06-01 is day 19,875 since 1970-01-01: with N = 2 it ends period 9,937, and 06-02 and 06-03
    // form period 9,938
    StructType pp = new StructType().add("qa_id", DataTypes.StringType).add("mmsi", DataTypes.LongType)
        .add("date", DataTypes.DateType).add("start_ts", DataTypes.TimestampType).add("norm", DataTypes.StringType);
    String text = "what was the mean sog? || 12.5 knots";
    Dataset<Row> pairs = spark().createDataFrame(List.of(
        RowFactory.create("a", 1L, java.sql.Date.valueOf("2024-06-01"), at(0), text),
        RowFactory.create("b", 1L, java.sql.Date.valueOf("2024-06-02"), at(24), text),
        RowFactory.create("c", 1L, java.sql.Date.valueOf("2024-06-03"), at(48), text)), pp);
    java.util.function.IntFunction<Map<String, String>> exactOf = n -> {
      Map<String, String> m = new java.util.TreeMap<>();
      JudgeTransforms.exactDuplicates(pairs.select(col("qa_id"), JudgeTransforms.scope(n), col("start_ts"), col("norm")))
          .collectAsList().forEach(r -> m.put(r.getString(0), r.getString(1)));
      return m;
    };
    assertEquals(Map.of("b", "a", "c", "a"), exactOf.apply(0));
    assertEquals(Map.of("c", "b"), exactOf.apply(2));
    assertEquals(Map.of(), exactOf.apply(1));
    assertEquals(Map.of("b", "a", "c", "a"), exactOf.apply(7));
  }

  /**
   * Random pairs over 3 templates and the first {@code days} of 2024-01-01..04, answers biased to "a" so
   * that the balance cuts, a quarter with a reason.
   */
  private static Row randomPair(java.util.Random rnd, String qaId, int days) {
    String claim = rnd.nextDouble() < 0.6 ? "a" : rnd.nextBoolean() ? "b" : "c";
    List<String> reasons = rnd.nextDouble() < 0.75 ? List.of()
        : List.of(rnd.nextBoolean() ? "GROUNDED_MISMATCH" : "DUPLICATE_EXACT");
    return unbalancedRow(qaId, "t" + rnd.nextInt(3), claim, reasons, "2024-01-0" + (1 + rnd.nextInt(days)));
  }

  /**
   * An incremental run's narrow balance ({@link JudgeTransforms#rebalanced}) leaves qa_judged
   * exactly as the full balance of the checked pairs and every kept verdict would
   * ({@code balanced(checked ∪ unbalancedFromJudged(kept))}, written whole): the second,
   * independent computation. Random increments re-check some pairs (new answers, reasons and dates)
   * and drop some on three of four dates, and add pairs: re-checked and new pairs land on the first
   * two dates, so the third is touched only by the pairs that leave it (dropped, or re-checked onto
   * another date). Kept pairs' ANSWER_BALANCE comes and goes on those three dates, while the fourth
   * date's pairs are neither read for the balance nor written.
   */
  @Test
  void theNarrowBalanceOfAnIncrementEqualsTheFullBalance() {
    StructType schema = unbalancedSchema();
    int keptFlips = 0;
    for (long seed = 1; seed <= 2; seed++) {
      for (double share : new double[] {0.3, 0.5}) {
        java.util.Random rnd = new java.util.Random(seed);
        List<Row> first = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
          first.add(randomPair(rnd, String.format("q%03d", i), 4));
        }
        Dataset<Row> stored = JudgeTransforms.balanced(spark().createDataFrame(first, schema), share).localCheckpoint();

        // the increment: about 30 % re-checked (a new draw), 10 % dropped, 20 new pairs; the rest kept
        List<Row> checked = new ArrayList<>();
        List<String> keptIds = new ArrayList<>();
        List<Row> candidateRows = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        for (Row r : first) {
          String id = r.getString(0);
          double u = rnd.nextDouble();
          if (r.get(schema.fieldIndex("date")).toString().equals("2024-01-04")) {
            u = 1.0;   // the fourth date: kept whole
            untouched.add(id);
          }
          if (u < 0.3) {
            checked.add(randomPair(rnd, id, 2));
          } else if (u >= 0.4) {
            keptIds.add(id);
            candidateRows.add(RowFactory.create(id, r.getString(schema.fieldIndex("template_id")),
                r.getString(schema.fieldIndex("claim")), r.get(schema.fieldIndex("date"))));
          }
        }
        for (int i = 160; i < 180; i++) {
          checked.add(randomPair(rnd, String.format("q%03d", i), 2));
        }
        for (Row r : checked) {
          candidateRows.add(RowFactory.create(r.getString(0), r.getString(schema.fieldIndex("template_id")),
              r.getString(schema.fieldIndex("claim")), r.get(schema.fieldIndex("date"))));
        }
        Dataset<Row> checkedDf = spark().createDataFrame(checked, schema);
        Dataset<Row> kept = stored.where(org.apache.spark.sql.functions.col("qa_id").isin(keptIds.toArray()));
        Dataset<Row> cands = spark().createDataFrame(candidateRows, new StructType().add("qa_id", DataTypes.StringType)
            .add("template_id", DataTypes.StringType).add("claim", DataTypes.StringType)
            .add("date", DataTypes.DateType));

        List<Row> want = JudgeTransforms.balanced(checkedDf.unionByName(
            JudgeTransforms.unbalancedFromJudged(kept, cands)), share).orderBy("qa_id").collectAsList();

        // the stored rows not kept: the re-checked and the dropped ones
        Dataset<Row> notKept = stored.select("qa_id", "date").join(kept.select("qa_id"), "qa_id", "left_anti");
        JudgeTransforms.Rebalanced rb = JudgeTransforms.rebalanced(checkedDf, notKept, stored, cands, share);
        assertFalse(rb.scope().contains("2024-01-04"), "the untouched date is outside the scope: " + rb.scope());
        Dataset<Row> storedOfIds = stored.join(rb.ids(), "qa_id");
        assertEquals(storedOfIds.count(), storedOfIds.where(rb.scope()).count(),
            "every stored row of the ids lies in the scope");
        List<String> ids = rb.ids().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "each id once");
        assertTrue(untouched.size() > 20, "pairs on the untouched date: " + untouched.size());
        assertTrue(ids.stream().noneMatch(untouched::contains), "an untouched date's pair is written");
        List<Row> rows = rb.rows().collectAsList();
        for (Row r : rows) {
          assertTrue(ids.contains(r.getString(0)), "a written row lies within the ids: " + r.getString(0));
        }
        assertEquals(rows.size(), rb.rows().where(rb.scope()).count(), "every written row lies in the scope");
        // what Lakehouse.sync with within = ids makes of the stored table: the ids' rows replaced by rows
        List<Row> got = stored.join(rb.ids(), io.aisdistill.jobs.lakehouse.ScalaSeqs.of("qa_id"), "left_anti").unionByName(rb.rows())
            .orderBy("qa_id").collectAsList();
        assertEquals(want, got, "seed " + seed + ", share " + share);
        assertTrue(rows.size() < want.size(), "only the changed rows are written");
        keptFlips += (int) rows.stream().filter(r -> keptIds.contains(r.getString(0))).count();
      }
    }
    assertTrue(keptFlips > 0, "some kept pair's ANSWER_BALANCE came or went");
  }
  /**
   * The report's one-aggregation figures equal a count of the rows one by one: random verdicts,
   * reason lists (empty, null, a code twice), teachers, categories and claim kinds, and a
   * candidate missing from qa_candidates (not numeric).
   */
  @Test
  void reportCountsEqualACountOfTheRowsOneByOne() {
    java.util.Random rnd = new java.util.Random(3);
    String[] teachers = {"grounded", "gpt-4o", "o3-mini"};
    String[] categories = {"kinematics", "anomaly", "identity"};
    String[] codes = {"CLAIM_MISMATCH", "ANSWER_BALANCE", "NEAR_DUPLICATE", "LLM_LOW_SCORE"};
    List<Row> judged = new ArrayList<>();
    List<Row> candidates = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      List<String> reasons = new ArrayList<>();
      int k = rnd.nextInt(4);
      for (int j = 0; j < k; j++) {
        reasons.add(codes[rnd.nextInt(codes.length)]);
      }
      String verdict = reasons.isEmpty() ? "accepted" : "rejected";
      judged.add(RowFactory.create("q" + i, teachers[rnd.nextInt(3)], categories[rnd.nextInt(3)],
          i % 50 == 7 ? null : verdict, i % 40 == 3 ? null : reasons));
      if (i % 30 != 11) {
        candidates.add(RowFactory.create("q" + i, rnd.nextBoolean() ? "number" : "text"));
      }
    }
    StructType js = new StructType().add("qa_id", DataTypes.StringType).add("teacher", DataTypes.StringType)
        .add("category", DataTypes.StringType).add("verdict", DataTypes.StringType)
        .add("reasons", DataTypes.createArrayType(DataTypes.StringType));
    StructType cs = new StructType().add("qa_id", DataTypes.StringType).add("claim_kind", DataTypes.StringType);
    JudgeTransforms.ReportCounts got = JudgeTransforms.reportCounts(spark().createDataFrame(judged, js),
        spark().createDataFrame(candidates, cs));

    Map<String, String> kind = new HashMap<>();
    candidates.forEach(c -> kind.put(c.getString(0), c.getString(1)));
    Map<String, long[]> byCat = new java.util.TreeMap<>();
    Map<String, Long> byReason = new java.util.TreeMap<>();
    Map<String, long[]> byTeacher = new java.util.TreeMap<>();
    for (Row r : judged) {
      boolean acc = "accepted".equals(r.getString(3));
      @SuppressWarnings("unchecked")
      List<String> reasons = r.isNullAt(4) ? List.of() : (List<String>) r.get(4);
      byCat.computeIfAbsent(r.getString(2), x -> new long[2])[acc ? 0 : 1]++;
      for (String code : reasons) {
        byReason.merge(code, 1L, Long::sum);
      }
      long[] t = byTeacher.computeIfAbsent(r.getString(1), x -> new long[4]);
      t[0]++;
      t[1] += acc ? 1 : 0;
      boolean numeric = "number".equals(kind.get(r.getString(0)));
      t[2] += numeric ? 1 : 0;
      t[3] += numeric && reasons.contains("CLAIM_MISMATCH") ? 1 : 0;
    }
    assertEquals(400, got.total());
    assertEquals(List.copyOf(byCat.keySet()), List.copyOf(got.byCategory().keySet()));
    byCat.forEach((c, n) -> assertEquals(Arrays.toString(n), Arrays.toString(got.byCategory().get(c)), c));
    assertEquals(List.copyOf(byReason.entrySet()), List.copyOf(got.byReason().entrySet()));
    List<List<Object>> want = new ArrayList<>();
    byTeacher.forEach((teacher, t) -> want.add(List.of(teacher, t[0], t[1], t[1] / (double) t[0], t[2], t[3],
        t[2] == 0 ? 0.0 : t[3] / (double) t[2])));
    assertEquals(want, got.byTeacher());
    assertTrue(byReason.get("CLAIM_MISMATCH") > 0 && want.stream().anyMatch(w -> (Long) w.get(5) > 0));
  }
}
