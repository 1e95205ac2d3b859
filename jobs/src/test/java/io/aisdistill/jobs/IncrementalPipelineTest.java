package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.sim.AisSimulator;
import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.TableChecksums;
import io.aisdistill.jobs.lakehouse.Tables;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Day-by-day runs equal one full run (issue 14): three simulated days, split by UTC date, run
 * through the default pipeline (ingest, windows, select, generate, judge) one day at a time, give
 * the same tables ({@link TableChecksums}: row counts, content and key digests) as one run over
 * the three days; the windows stage of a later day reads only that day's positions.
 */
class IncrementalPipelineTest {
  @TempDir Path tmp;

  /** The simulated CSV split by the date of BaseDateTime: one file per day, each with the header. */
  static List<Path> days(Path dir, int vessels, int hours) throws IOException {
    StringWriter w = new StringWriter();
    AisSimulator.write(new AisSimulator.Config(vessels, hours, Instant.parse("2024-06-01T00:00:00Z"), 7), w);
    String[] lines = w.toString().split("\n");
    TreeMap<String, StringBuilder> byDay = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      byDay.computeIfAbsent(lines[i].split(",", 3)[1].substring(0, 10), d -> new StringBuilder(lines[0]).append('\n'))
          .append(lines[i]).append('\n');
    }
    List<Path> out = new ArrayList<>();
    for (var e : byDay.entrySet()) {
      Path p = dir.resolve("ais-" + e.getKey() + ".csv");
      Files.writeString(p, e.getValue());
      out.add(p);
    }
    return out;
  }

  static String[] run(String lakehouse, String runId, List<Path> inputs) {
    List<String> a = new ArrayList<>(List.of("run", "--lakehouse", lakehouse, "--run-id", runId,
        "--set", "spark.shuffle_partitions=4", "--set", "select.scope=day", "--input"));
    inputs.forEach(p -> a.add(p.toString()));
    return a.toArray(String[]::new);
  }

  @Test
  void dayByDayEqualsOneFullRun() throws IOException {
    Files.createDirectories(tmp.resolve("in"));
    List<Path> days = days(tmp.resolve("in"), 16, 72);
    assertEquals(3, days.size());
    SparkSession spark = SparkTestSession.get();

    String daily = tmp.resolve("daily").toString();
    Lakehouse lh = new Lakehouse(spark, daily);
    long before = 0;
    for (int d = 0; d < days.size(); d++) {
      assertEquals(0, Cli.execute(run(daily, "day" + d, List.of(days.get(d)))));
      long total = lh.read(Tables.POSITIONS).count();
      String report = Files.readString(Path.of(daily, "_reports", "latest.md"));
      if (d > 0) {
        assertTrue(report.contains("| mode | incremental |"), "day " + d + " runs incremental:\n" + report);
        // the windows stage read only the day's positions (and the few vessels it recomputed)
        long read = Long.parseLong(report.replaceAll("(?s).*\\| positions_read \\| (\\d+) \\|.*", "$1"));
        assertTrue(read < total - before / 2, "positions_read " + read + " of " + total + " (new " + (total - before) + ")");
        // the generate stage made pairs only for the windows that changed or are new
        long changed = Long.parseLong(report.replaceAll("(?s).*\\| windows_changed \\| (\\d+) \\|.*", "$1"));
        long windows = lh.read(Tables.WINDOWS).count();
        assertTrue(changed > 0 && changed < windows, "windows_changed " + changed + " of " + windows);
        // select decided only the days the new day's data changed (the day, and the day before when a
        // window crossing midnight grew)
        String select = report.substring(report.indexOf("## select"), report.indexOf("## generate"));
        assertTrue(select.contains("| mode | incremental |"), select);
        long decidedDays = Long.parseLong(select.replaceAll("(?s).*\\| days_decided \\| (\\d+) \\|.*", "$1"));
        assertTrue(decidedDays >= 1 && decidedDays <= 2, "days_decided " + decidedDays);
        // the judge judged only the changed pairs (and recomputed its vessels' duplicates)
        assertTrue(report.substring(report.indexOf("## judge")).contains("| mode | incremental |"), report);
      }
      before = total;
      if (d == 0) {
        // the out-of-order lakehouse below starts from this one's first day (a copy, not a rerun)
        LlmFixture.copy(Path.of(daily), tmp.resolve("late"));
      }
    }

    String full = tmp.resolve("full").toString();
    assertEquals(0, Cli.execute(run(full, "full", days)));

    List<String> a = TableChecksums.lines(spark, lh);
    List<String> b = TableChecksums.lines(spark, new Lakehouse(spark, full));
    assertEquals(9, b.size(), String.join("\n", b));
    assertEquals(b, a);

    // a rerun with nothing new reads nothing and commits nothing
    long windowsVersion = lh.version(Tables.WINDOWS);
    long stateVersion = lh.version(Tables.TRACK_STATE);
    long judgedVersion = lh.version(Tables.QA_JUDGED);
    long selectionVersion = lh.version(Tables.WINDOW_SELECTION);
    assertEquals(0, Cli.execute(run(daily, "again", List.of(days.get(2)))));
    String report = Files.readString(Path.of(daily, "_reports", "latest.md"));
    assertTrue(report.contains("| mode | unchanged |"), report);
    assertTrue(report.substring(report.indexOf("## judge")).contains("| mode | unchanged |"), report);
    assertTrue(report.substring(report.indexOf("## select"), report.indexOf("## generate"))
        .contains("| mode | unchanged |"), report);
    assertEquals(List.of(windowsVersion, stateVersion, judgedVersion, selectionVersion),
        List.of(lh.version(Tables.WINDOWS), lh.version(Tables.TRACK_STATE), lh.version(Tables.QA_JUDGED),
            lh.version(Tables.WINDOW_SELECTION)));

    // days out of order (1, 3, then 2; day 1 is the daily run's, copied above): every vessel of
    // day 2 has reports older than its state, so it is recomputed from all its positions, and the
    // windows that day 2 changes (day 1's last windows, extended) get new pairs and verdicts;
    // every table still equals the full run's
    String late = tmp.resolve("late").toString();
    for (int d : new int[] {2, 1}) {
      assertEquals(0, Cli.execute(run(late, "late" + d, List.of(days.get(d)))));
    }
    String lateReport = Files.readString(Path.of(late, "_reports", "latest.md"));
    assertTrue(lateReport.matches("(?s).*\\| vessels_recomputed \\| [1-9]\\d* \\|.*"), lateReport);
    List<String> c = TableChecksums.lines(spark, new Lakehouse(spark, late));
    assertEquals(b, c);
  }
}
