package io.aisdistill.jobs;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Rows;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.judge.JudgeStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.judge.GroundedJudge;
import io.aisdistill.common.judge.Verdict;
import io.aisdistill.common.qa.Observation;
import io.aisdistill.common.qa.QaPair;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.WindowConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Invariants every pipeline run must satisfy, shared by the end-to-end tests. */
final class PipelineAssertions {
  private PipelineAssertions() {}

  /** Lines of a file as Hadoop's LineReader counts them (LF, CRLF or CR terminated). */
  static long lines(Path file) {
    try (var r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      return r.lines().count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Per-file rows of the ingest report keyed by the report's short file name. */
  static Map<String, List<Object>> perFile(StageReport ingest) {
    Map<String, List<Object>> m = new HashMap<>();
    for (List<Object> r : ingest.tables().get(0).rows()) {
      m.put((String) r.get(0), r);
    }
    return m;
  }

  /**
   * For every file read: its line count (counted here, independently) equals positions + static +
   * rejected + duplicates + skipped of the report, and the report's positions / rejects equal
   * the rows of that source in the tables.
   */
  static void assertAccounting(Lakehouse lh, StageReport ingest, List<Path> files) {
    Map<String, List<Object>> perFile = perFile(ingest);
    Map<String, Long> posBySource = countBySource(lh.read(Tables.POSITIONS));
    Map<String, Long> rejBySource = countBySource(lh.read(Tables.REJECTS));
    Map<String, Long> staticBySource = countBySource(lh.read(Tables.STATIC));
    for (Path f : files) {
      String shortName = f.getParent().getFileName() + "/" + f.getFileName();
      List<Object> r = perFile.get(shortName);
      assertTrue(r != null, "file missing from the ingest report: " + shortName + " in " + perFile.keySet());
      long lines = (long) r.get(2), pos = (long) r.get(3), sta = (long) r.get(4), rej = (long) r.get(5),
          dup = (long) r.get(6), skip = (long) r.get(7);
      boolean wholeFileReject = ((String) r.get(1)).startsWith("rejected");
      if (!wholeFileReject) {
        assertEquals(lines(f), lines, "lines read of " + shortName);
      }
      assertEquals(lines, pos + sta + (wholeFileReject ? 0 : rej) + dup + skip,
          "lines = positions + static + rejected + duplicates + skipped for " + shortName);
      String src = f.toUri().toString().replace("file:///", "file:/");
      assertEquals(pos, posBySource.getOrDefault(src, 0L), "ais_positions rows of " + shortName);
      assertEquals(rej, rejBySource.getOrDefault(src, 0L), "ais_rejects rows of " + shortName);
      assertEquals(sta, staticBySource.getOrDefault(src, 0L), "ais_static rows of " + shortName);
    }
  }

  static Map<String, Long> countBySource(Dataset<Row> df) {
    Map<String, Long> m = new HashMap<>();
    for (Row r : df.groupBy("source").count().collectAsList()) {
      m.put(r.getString(0), r.getLong(1));
    }
    return m;
  }

  /**
   * Every row of ais_positions is inside the plausibility rules of issue 13, checked with plain SQL
   * predicates written here, independently of {@code Plausibility}: time from 2000-01-01 to one day
   * after now, SOG [0, 102.2], COG [0, 360), heading [0, 359], coordinates in range, no -0.0, text
   * within its caps.
   */
  static void assertInsideRules(Lakehouse lh) {
    String outside = "ts < TIMESTAMP '2000-01-01 00:00:00' OR ts > current_timestamp() + INTERVAL 1 DAY "
        + "OR sog < 0 OR sog > 102.2 OR cog < 0 OR cog >= 360 OR heading < 0 OR heading > 359 "
        + "OR lat < -90 OR lat > 90 OR lon < -180 OR lon > 180 OR lat IS NULL OR lon IS NULL OR ts IS NULL "
        + "OR CAST(lat AS STRING) = '-0.0' OR CAST(lon AS STRING) = '-0.0' OR CAST(sog AS STRING) = '-0.0' "
        + "OR CAST(cog AS STRING) = '-0.0' OR length(vessel_name) > 64 OR length(callsign) > 16";
    List<Row> bad = lh.read(Tables.POSITIONS).filter(outside).limit(5).collectAsList();
    assertEquals(List.of(), bad, "ais_positions rows outside the plausibility rules");
  }

  /** No "not available" sentinel appears as a value in ais_positions. */
  static void assertNoSentinels(Lakehouse lh) {
    long bad = lh.read(Tables.POSITIONS)
        .filter("sog >= 102.3 OR sog < 0 OR cog >= 360 OR cog < 0 OR heading = 511 OR heading > 359 "
            + "OR lat > 90 OR lat < -90 OR lon > 180 OR lon < -180 OR lat IS NULL OR lon IS NULL OR ts IS NULL")
        .count();
    assertEquals(0, bad, "rows with sentinel or impossible values in ais_positions");
  }

  /**
   * No window spans an AIS gap or a position jump. max_leg_speed_kn covers every leg (GPS noise
   * under the teleport floor included), so the jump check reads the legs between the observed
   * rows: none longer than the floor implies more than the jump speed. The rows are rounded (5
   * decimals, ~1 m; whole seconds), so a leg counts as a jump only when it does so for every
   * unrounded value the rows allow (0.002 nm and 1 s of slack).
   */
  static void assertWindowsRespectSegments(Lakehouse lh, WindowConfig wc) {
    Dataset<Row> w = lh.read(Tables.WINDOWS);
    assertEquals(0, w.filter(col("max_gap_s").gt(wc.maxGapS())).count(), "windows spanning a gap");
    assertEquals(0, w.filter(col("n_points").lt(wc.minPoints())).count(), "windows below min_points");
    assertEquals(w.count(), w.select("window_id").distinct().count(), "window ids unique");
    List<String> jumps = new java.util.ArrayList<>();
    for (Row r : w.collectAsList()) {
      TrackWindow tw = Rows.window(r);
      Observation o = Observation.of(tw);
      assertTrue(o.n() >= 2 && o.n() <= Math.min(tw.nPoints(), wc.maxTrackPoints()), "rows of " + tw.windowId());
      for (int i = 1; i < o.n(); i++) {
        double nm = o.leg(i) - 0.002;
        if (nm > wc.teleportMinNm() && nm / ((o.interval(i) + 1) / 3600.0) > wc.maxSpeedKn()) {
          jumps.add(tw.windowId() + " leg " + i + ": " + o.leg(i) + " nm in " + o.interval(i) + " s");
        }
      }
    }
    assertEquals(List.of(), jumps, "windows spanning a jump");
  }

  /**
   * Every accepted QA pair, read back from the Delta tables, re-verifies: the grounded judge
   * accepts it against its window, and its grounded check was made (grounded_ok true) whenever it
   * states a window fact.
   */
  static long assertAcceptedReverify(Lakehouse lh) throws IOException {
    Dataset<Row> judged = lh.read(Tables.QA_JUDGED);
    assertEquals(0, judged.filter("verdict = 'accepted' AND size(trace_unsupported) > 0").count(),
        "accepted pairs whose trace cites unsupported numbers");
    assertEquals(0, judged.filter("verdict = 'accepted' AND size(reasons) > 0").count(), "accepted with reasons");
    // answer balance: no answer is more than judge.max_answer_share (0.55) of a template's accepted pairs
    List<Row> shares = judged.filter("verdict = 'accepted'")
        .join(lh.read(Tables.QA_CANDIDATES).select("qa_id", "template_id", "claim"), "qa_id")
        .selectExpr("template_id", "lower(trim(coalesce(claim, ''))) AS answer")
        .groupBy("template_id", "answer").count()
        .selectExpr("template_id", "count", "sum(count) OVER (PARTITION BY template_id) AS total")
        .filter("count > 0.55 * total").collectAsList();
    assertEquals(List.of(), shares, "templates whose most frequent accepted answer is above the 0.55 share");
    Dataset<Row> acc = lh.read(Tables.QA_JUDGED).filter("verdict = 'accepted'").select("qa_id", "grounded_ok")
        .join(lh.read(Tables.QA_CANDIDATES), "qa_id")
        .join(lh.read(Tables.WINDOWS).drop("mmsi", "date"), "window_id");
    long n = 0;
    GroundedJudge judge = new GroundedJudge();
    for (Row r : acc.collectAsList()) {
      QaPair q = JudgeStage.pair(r);
      Verdict v = judge.judge(q, Rows.window(r));
      assertTrue(v.accepted(), "accepted pair does not re-verify: " + q.qaId() + " " + q.question() + " -> "
          + q.answer() + " " + v);
      if (q.factKey() != null) {
        assertEquals(Boolean.TRUE, r.getAs("grounded_ok"), "fact answer without grounded check: " + q.qaId());
      }
      n++;
    }
    return n;
  }

  /**
   * {@code actual} holds the same rows as {@code expected}, each as often (order aside), and
   * {@code expected} has rows; on a difference, the counts and a few rows of each side.
   */
  static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual, String what) {
    Map<Row, Long> want = multiset(expected.collectAsList());
    Map<Row, Long> got = multiset(actual.collectAsList());
    assertTrue(!want.isEmpty(), what + ": no rows");
    if (!want.equals(got)) {
      Map<Row, Long> onlyGot = new HashMap<>(got);
      want.forEach(onlyGot::remove);
      Map<Row, Long> onlyWant = new HashMap<>(want);
      got.forEach(onlyWant::remove);
      throw new AssertionError(what + ": " + onlyGot.size() + " rows not expected, " + onlyWant.size()
          + " expected rows missing (or counts differ), e.g. " + onlyGot.keySet().stream().limit(3).toList()
          + " against " + onlyWant.keySet().stream().limit(3).toList());
    }
  }

  private static Map<Row, Long> multiset(List<Row> rows) {
    Map<Row, Long> m = new HashMap<>();
    rows.forEach(r -> m.merge(r, 1L, Long::sum));
    return m;
  }
}
