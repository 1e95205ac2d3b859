package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  static JudgeResult judge(SparkSession spark, Lakehouse lh, boolean incremental) {
    PipelineConfig cfg = PipelineConfig.load(null, List.of("spark.master=local[2]", "spark.shuffle_partitions=4",
        SHARE, "judge.incremental=" + incremental));
    return new JudgeStage(null).run(new StageContext(spark, lh, cfg, incremental ? "inc" : "full"));
  }

  @Test
  void aDayOfThreeVesselsRejudgesTheirPairsAndEqualsAFullJudge() throws IOException {
    Files.createDirectories(tmp.resolve("in"));
    List<Path> days = IncrementalPipelineTest.days(tmp.resolve("in"), 12, 48);
    assertEquals(2, days.size());
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
  }
}
