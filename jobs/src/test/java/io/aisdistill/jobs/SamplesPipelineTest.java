package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.ingest.IngestStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command on the committed simulated sample (data-samples/), through the CLI:
 * four non-empty tables, every line accounted for, and a rerun that adds nothing. Runs without
 * ../shared.
 */
class SamplesPipelineTest {
  @TempDir Path tmp;

  @Test
  void runOnDataSamplesThenRerunChangesNothing() throws IOException {
    Path samples = SparkTestSession.repo().resolve("data-samples");
    String lakehouse = tmp.resolve("lakehouse").toString();
    String[] args = {"run", "--input", samples.toString(), "--lakehouse", lakehouse, "--set", "spark.shuffle_partitions=4"};
    assertEquals(0, Cli.execute(args));

    SparkSession spark = SparkTestSession.get();
    Lakehouse lh = new Lakehouse(spark, lakehouse);
    for (String t : List.of(Tables.POSITIONS, Tables.WINDOWS, Tables.WINDOW_SELECTION, Tables.QA_CANDIDATES,
        Tables.QA_JUDGED, Tables.PROMPTS)) {
      assertTrue(lh.read(t).count() > 0, t + " is empty");
    }
    PipelineAssertions.assertNoSentinels(lh);
    PipelineAssertions.assertWindowsRespectSegments(lh, SparkTestSession.config().windows.toWindowConfig());
    assertTrue(PipelineAssertions.assertAcceptedReverify(lh) > 50);

    String report = Files.readString(tmp.resolve("lakehouse/_reports/latest.md"));
    for (String s : List.of("## ingest", "## windows", "## select", "## generate", "## judge", "lines_read",
        "duplicates_dropped", "Windows by behaviour", "QA by category and verdict")) {
      assertTrue(report.contains(s), "summary lacks " + s);
    }
    List<Path> csvs;
    try (Stream<Path> s = Files.list(samples)) {
      csvs = s.filter(p -> p.toString().endsWith(".csv")).toList();
    }
    assertTrue(!csvs.isEmpty());
    var again = new IngestStage(List.of(samples.toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "again"));
    PipelineAssertions.assertAccounting(lh, again.report(), csvs);
    assertEquals(0L, again.positionsNewInTable());
    assertTrue(again.duplicatesDropped() > 0, "the simulator plants exact duplicates");

    long qa = lh.read(Tables.QA_JUDGED).count();
    assertEquals(0, Cli.execute(args));
    assertEquals(qa, lh.read(Tables.QA_JUDGED).count());
  }

  @Test
  void cliExitCodesAndOneLineErrors() {
    assertEquals(0, Cli.execute("--help"));
    assertEquals(2, Cli.execute("no-such-stage"));
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Cli.execute("ingest", "--input", tmp.resolve("missing").toString(), "--lakehouse", tmp.resolve("lh").toString());
    } finally {
      System.setErr(err);
    }
    assertEquals(1, rc);
    String msg = buf.toString(StandardCharsets.UTF_8).strip();
    assertTrue(msg.startsWith("ais-distill ingest: error: input not found"), msg);
    assertEquals(1, msg.lines().count(), msg);
    assertEquals(1, Cli.execute("windows", "--lakehouse", tmp.resolve("empty").toString()));
    assertEquals(1, Cli.execute("ingest", "--input", "x", "--conf", tmp.resolve("nope.yaml").toString()));
  }

  @Test
  void simulateWritesMarineCadastreCsv() throws IOException {
    Path out = tmp.resolve("sim/sim.csv");
    assertEquals(0, Cli.execute("simulate", "--vessels", "3", "--hours", "2", "--out", out.toString(), "--seed", "9"));
    List<String> lines = Files.readAllLines(out);
    assertTrue(lines.get(0).startsWith("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading"), lines.get(0));
    assertTrue(lines.size() > 100, "rows: " + lines.size());
  }
}
