package io.aisdistill.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.unix_micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.judge.JudgeResult;
import io.aisdistill.jobs.stage.judge.JudgeStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incremental judge (issue 14): after a day that brings positions of three vessels only, the
 * judge stage judges again only the pairs that changed (fewer than the candidates) and the table
 * equals a full judge over the same candidates (which then finds nothing to write), including the
 * answer balance, which is per template and date: the other vessels' reports of the second day are
 * ingested with the first day, so that with a low {@code judge.max_answer_share} the three vessels'
 * new pairs change the second day's counts, and verdicts of pairs of vessels the increment did not
 * touch flip, which the incremental run must write as well. A table without checkpoint is judged in full
 * once, and its checkpoint recorded even when no verdict changed.
 */
class IncrementalJudgeTest {
  @TempDir Path tmp;

  static final String SHARE = "judge.max_answer_share=0.3";

  static String[] withSets(String[] args, String... sets) {
    List<String> a = new ArrayList<>(List.of(args));
    int i = 1;
    for (String s : sets) {
      a.add(i++, "--set");
      a.add(i++, s);
    }
    return a.toArray(String[]::new);
  }

  /** qa_id to (mmsi, reasons as text) of qa_judged. */
  static Map<String, String[]> verdicts(Lakehouse lh) {
    Map<String, String[]> m = new TreeMap<>();
    for (Row r : lh.read(Tables.QA_JUDGED).select("qa_id", "mmsi", "reasons").collectAsList()) {
      m.put(r.getString(0), new String[] {String.valueOf(r.getLong(1)), String.valueOf(r.getList(2))});
    }
    return m;
  }

  static JudgeResult judge(SparkSession spark, Lakehouse lh, boolean incremental, String... sets) {
    List<String> all = new ArrayList<>(List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        SHARE, "judge.incremental=" + incremental));
    all.addAll(List.of(sets));
    PipelineConfig cfg = PipelineConfig.load(null, all);
    return new JudgeStage(null).run(new StageContext(spark, lh, cfg, incremental ? "inc" : "full"));
  }

  @Test
  void aDayOfThreeVesselsRejudgesTheirPairsAndEqualsAFullJudge() throws IOException {
    Files.createDirectories(tmp.resolve("in"));
    List<Path> days = IncrementalPipelineTest.days(tmp.resolve("in"), 12, 72);
    assertEquals(3, days.size());   // the third day is for the duplicate horizon, at the end
    List<String> day2 = Files.readAllLines(days.get(1));
    Set<String> few = day2.stream().skip(1).map(l -> l.split(",", 2)[0]).distinct().sorted().limit(3)
        .collect(Collectors.toSet());
    Path fewFile = tmp.resolve("in/day2-few.csv");
    Files.writeString(fewFile, day2.get(0) + "\n" + day2.stream().skip(1)
        .filter(l -> few.contains(l.split(",", 2)[0])).collect(Collectors.joining("\n")) + "\n");
    Path othersFile = tmp.resolve("in/day2-others.csv");
    Files.writeString(othersFile, day2.get(0) + "\n" + day2.stream().skip(1)
        .filter(l -> !few.contains(l.split(",", 2)[0])).collect(Collectors.joining("\n")) + "\n");

    SparkSession spark = SparkTestSession.get();
    String root = tmp.resolve("lake").toString();
    Lakehouse lh = new Lakehouse(spark, root);
    assertEquals(0, Cli.execute(withSets(IncrementalPipelineTest.run(root, "d1", List.of(days.get(0), othersFile)),
        SHARE)));
    Map<String, String[]> before = verdicts(lh);

    assertEquals(0, Cli.execute(withSets(IncrementalPipelineTest.run(root, "d2", List.of(fewFile)), SHARE,
        "run.stages=[ingest,windows,select,generate]")));
    JudgeResult inc = judge(spark, lh, true);
    Map<String, Object> m = inc.report().metrics();
    assertEquals("incremental", m.get("mode"), m.toString());
    long rejudged = ((Number) m.get("pairs_rejudged")).longValue();
    assertTrue(rejudged > 0 && rejudged < inc.candidates(), "pairs_rejudged " + rejudged + " of " + inc.candidates());
    assertTrue(((Number) m.get("vessels_rejudged")).longValue() < 12, m.toString());
    Map<String, String[]> after = verdicts(lh);
    // duplicates: the changed pairs and the younger pairs of their vessels are checked, against all older pairs
    long checked = ((Number) m.get("pairs_duplicate_checked")).longValue();
    assertTrue(checked >= rejudged, "pairs_duplicate_checked " + checked + ", re-judged " + rejudged);

    // the answer balance flipped verdicts of pairs of vessels the day did not touch
    long flipped = after.entrySet().stream()
        .filter(e -> !few.contains(e.getValue()[0]) && before.containsKey(e.getKey()))
        .filter(e -> e.getValue()[1].contains("ANSWER_BALANCE") != before.get(e.getKey())[1].contains("ANSWER_BALANCE"))
        .count();
    assertTrue(flipped > 0, "no untouched pair changed its balance verdict");

    // a full judge over the same candidates writes nothing: the incremental table equals it
    List<String> sums = TableChecksums.lines(spark, lh);
    long version = lh.version(Tables.QA_JUDGED);
    JudgeResult full = judge(spark, lh, false);
    Map<String, Object> f = full.report().metrics();
    assertEquals("full", f.get("mode"), f.toString());
    assertTrue(((Number) f.get("pairs_rejudged")).longValue() > rejudged, f.toString());
    assertTrue(((Number) f.get("pairs_duplicate_checked")).longValue() > checked, f.toString());
    assertEquals(List.of(0L, 0L, 0L), List.of(f.get("judged_new_in_table"), f.get("judged_updated_in_table"),
        f.get("judged_deleted_from_table")), f.toString());
    assertEquals(version, lh.version(Tables.QA_JUDGED));
    assertEquals(sums, TableChecksums.lines(spark, lh));

    // and a rerun with nothing new judges nothing and commits nothing
    JudgeResult again = judge(spark, lh, true);
    assertEquals("unchanged", again.report().metrics().get("mode"), again.report().metrics().toString());
    assertEquals(version, lh.version(Tables.QA_JUDGED));

    // a table without checkpoint (written before, or a commit by something else): one full run, which
    // changes no verdict and records its checkpoint in a metadata-only commit; then unchanged again
    spark.sql("ALTER TABLE delta.`" + lh.path(Tables.QA_JUDGED) + "` SET TBLPROPERTIES ('test.note' = 'x')");
    JudgeResult noCheckpoint = judge(spark, lh, true);
    assertEquals("no checkpoint in qa_judged", noCheckpoint.report().metrics().get("full_because"));
    assertEquals(version + 2, lh.version(Tables.QA_JUDGED));
    assertEquals(sums, TableChecksums.lines(spark, lh));
    assertEquals("unchanged", judge(spark, lh, true).report().metrics().get("mode"));
    assertEquals(version + 2, lh.version(Tables.QA_JUDGED));

    aDuplicateHorizonIncrementEqualsAFullJudgeAndABruteForceSearch(spark, lh, root, days.get(2));
  }

  /**
   * Then, on the same lakehouse (a part of the test above, to share its two days of pipeline runs):
   * with a duplicate horizon of one day ({@code judge.duplicate_horizon_days=1}: each UTC date is
   * its own period), the new setting first judges everything once, and a third day's increment
   * then reads only the dates it touches for duplicates (the new day, and the day before, whose
   * last windows the new day extends) and still equals a full judge. The
   * table's exact duplicates are checked against a brute-force search written here in plain Java
   * over qa_judged and track_windows: per vessel, date and normalized text, the pair of the oldest
   * window (then the smallest qa_id) is kept and every other one is DUPLICATE_EXACT of it; a text a
   * vessel repeats on another date is not a duplicate (the data has such repeats, so the horizon
   * decides verdicts here); and every near duplicate names a pair of its vessel and date.
   */
  private static void aDuplicateHorizonIncrementEqualsAFullJudgeAndABruteForceSearch(SparkSession spark, Lakehouse lh,
      String root, Path day3) {
    String h = "judge.duplicate_horizon_days=1";
    assertEquals("judge configuration changed", judge(spark, lh, true, h).report().metrics().get("full_because"));
    assertEquals(0, Cli.execute(withSets(IncrementalPipelineTest.run(root, "d3", List.of(day3)), SHARE, h,
        "run.stages=[ingest,windows,select,generate]")));
    JudgeResult inc = judge(spark, lh, true, h);
    Map<String, Object> m = inc.report().metrics();
    assertEquals("incremental", m.get("mode"), m.toString());

    // the brute-force duplicates: qa_id -> (mmsi, date, start_ts in microseconds, norm, reasons, duplicate_of)
    List<Row> rows = lh.read(Tables.QA_JUDGED).join(lh.read(Tables.WINDOWS).select("window_id", "start_ts"),
            "window_id")
        .select(col("qa_id"), col("mmsi"), col("date").cast("string"), unix_micros(col("start_ts")), col("question"),
            col("answer"), col("reasons"), col("duplicate_of"))
        .collectAsList();
    List<String> setOrLlm = List.of("DUPLICATE_EXACT", "NEAR_DUPLICATE", "ANSWER_BALANCE", "LLM_JUDGE_LOW_SCORE",
        "LLM_JUDGE_UNPARSEABLE", "LLM_JUDGE_FAILED");
    Map<String, List<Row>> groups = new TreeMap<>();
    Map<String, Row> byId = new TreeMap<>();
    Map<String, Set<String>> datesOfText = new TreeMap<>();
    for (Row r : rows) {
      byId.put(r.getString(0), r);
      List<String> own = new ArrayList<>(r.getList(6));
      own.removeAll(setOrLlm);
      if (!own.isEmpty()) {
        continue;   // failed a grounded check: not in duplicate detection
      }
      String norm = (r.getString(4) + " || " + r.getString(5)).toLowerCase(java.util.Locale.ROOT)
          .replaceAll("\\s+", " ").trim();
      groups.computeIfAbsent(r.getLong(1) + "|" + r.getString(2) + "|" + norm, k -> new ArrayList<>()).add(r);
      datesOfText.computeIfAbsent(r.getLong(1) + "|" + norm, k -> new java.util.TreeSet<>()).add(r.getString(2));
    }
    Map<String, String> want = new TreeMap<>();
    for (List<Row> g : groups.values()) {
      g.sort(java.util.Comparator.<Row>comparingLong(r -> r.getLong(3)).thenComparing(r -> r.getString(0)));
      for (Row r : g.subList(1, g.size())) {
        want.put(r.getString(0), g.get(0).getString(0));
      }
    }
    Map<String, String> got = new TreeMap<>();
    for (Row r : rows) {
      if (r.getList(6).contains("DUPLICATE_EXACT")) {
        got.put(r.getString(0), r.getString(7));
      }
      if (r.getList(6).contains("NEAR_DUPLICATE")) {
        Row of = byId.get(r.getString(7));
        assertEquals(List.of(r.getLong(1), r.getString(2)), List.of(of.getLong(1), of.getString(2)),
            "a near duplicate names a pair of its vessel and date: " + r);
      }
    }
    assertFalse(want.isEmpty(), "the data has exact duplicates within a day");
    assertEquals(want, got);
    assertTrue(datesOfText.values().stream().anyMatch(d -> d.size() > 1),
        "a vessel repeats a text on two dates (kept on both: the horizon decides)");

    // a full judge with the same horizon writes nothing: the increment equals it
    List<String> sums = TableChecksums.lines(spark, lh);
    long version = lh.version(Tables.QA_JUDGED);
    JudgeResult full = judge(spark, lh, false, h);
    Map<String, Object> f = full.report().metrics();
    assertEquals("full", f.get("mode"), f.toString());
    assertEquals(List.of(0L, 0L, 0L), List.of(f.get("judged_new_in_table"), f.get("judged_updated_in_table"),
        f.get("judged_deleted_from_table")), f.toString());
    assertEquals(sums, TableChecksums.lines(spark, lh));
  }
}
