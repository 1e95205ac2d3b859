package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.cli.DetailsLog;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark failure through the CLI, in-process (issue 13): a parquet data file of the Delta
 * table ais_positions, written by the ingest stage, is deleted, then the windows stage reads it.
 * Spark's executor logging (the task's FileNotFoundException, "Lost task", stage aborted, with
 * their stack traces) must not reach stderr: stderr holds exactly one line, the one-line error
 * naming the details log, and that file holds the stack traces.
 */
class CliDetailsLogTest {
  @TempDir Path tmp;

  @Test
  void sparkFailurePrintsOneLineNamingTheLogFileThatHoldsTheStackTrace() throws IOException {
    Assumptions.assumeTrue(System.getenv(DetailsLog.DEBUG_ENV) == null, "AIS_DISTILL_DEBUG prints everything");
    Path logs = tmp.resolve("logs");
    String oldDir = System.getProperty(DetailsLog.DIR_PROPERTY);
    System.setProperty(DetailsLog.DIR_PROPERTY, logs.toString());
    Path csv = tmp.resolve("in/sim.csv");
    String lh = tmp.resolve("lh").toString();
    PrintStream oldErr = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try {
      assertEquals(0, Cli.execute("simulate", "--vessels", "3", "--hours", "2", "--out", csv.toString(), "--seed", "5"));
      assertEquals(0, Cli.execute("ingest", "--input", csv.toString(), "--lakehouse", lh,
          "--set", "spark.shuffle_partitions=4"));
      List<Path> parquet;
      try (Stream<Path> s = Files.walk(Path.of(lh, Tables.POSITIONS))) {
        parquet = s.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log")).toList();
      }
      assertFalse(parquet.isEmpty());
      for (Path p : parquet) {
        Files.delete(p);
      }
      System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
      rc = Cli.execute("windows", "--lakehouse", lh, "--set", "spark.shuffle_partitions=4");
    } finally {
      System.setErr(oldErr);
      if (oldDir == null) {
        System.clearProperty(DetailsLog.DIR_PROPERTY);
      } else {
        System.setProperty(DetailsLog.DIR_PROPERTY, oldDir);
      }
    }
    String err = buf.toString(StandardCharsets.UTF_8);
    oldErr.print(err);
    assertEquals(1, rc);
    List<String> lines = err.strip().lines().toList();
    assertEquals(1, lines.size(), err);
    String line = lines.get(0);
    assertTrue(line.startsWith("ais-distill windows: error: "), line);
    int at = line.lastIndexOf(" (details: ");
    assertTrue(at > 0 && line.endsWith(")"), line);
    Path log = Path.of(line.substring(at + " (details: ".length(), line.length() - 1));
    assertEquals(logs.toAbsolutePath(), log.getParent(), line);
    assertTrue(log.getFileName().toString().matches("ais-distill-\\d{8}T\\d{6}Z-\\d+\\.log"), line);
    String details = Files.readString(log);
    assertTrue(details.contains("FileNotFoundException") || details.contains("does not exist"), details);
    assertTrue(details.contains("\tat org.apache.spark."), "a Spark stack trace in the log");
    assertTrue(details.contains("ERROR") && details.contains(line.substring(0, at)), "our failure line in the log");
    assertTrue(details.lines().count() > 20, "the stack traces are in the log");
  }

  @Test
  void quietRunLeavesNoLogFileAndTheConsoleWorksAfterwards() throws IOException {
    Assumptions.assumeTrue(System.getenv(DetailsLog.DEBUG_ENV) == null, "AIS_DISTILL_DEBUG prints everything");
    Path logs = tmp.resolve("logs");
    String oldDir = System.getProperty(DetailsLog.DIR_PROPERTY);
    System.setProperty(DetailsLog.DIR_PROPERTY, logs.toString());
    try {
      assertEquals(0, Cli.execute("simulate", "--vessels", "1", "--hours", "1", "--out", tmp.resolve("s.csv").toString()));
      PrintStream oldErr = System.err;
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
      int rc;
      try {
        rc = Cli.execute("ingest", "--input", tmp.resolve("missing").toString(), "--lakehouse", tmp.resolve("lh").toString());
        // after the run, the shipped console appender is back: a Spark warning reaches stderr again
        org.apache.logging.log4j.LogManager.getLogger("org.apache.spark.test").warn("back on the console");
      } finally {
        System.setErr(oldErr);
      }
      String err = buf.toString(StandardCharsets.UTF_8);
      assertEquals(1, rc);
      assertTrue(err.lines().anyMatch(l -> l.startsWith("ais-distill ingest: error: input not found")
          && l.contains("(details: " + logs.toAbsolutePath())), err);
      assertTrue(err.contains("back on the console"), err);
      try (Stream<Path> s = Files.list(logs)) {
        assertEquals(1, s.count(), "one log file: the failing run's (simulate logged nothing)");
      }
    } finally {
      if (oldDir == null) {
        System.clearProperty(DetailsLog.DIR_PROPERTY);
      } else {
        System.setProperty(DetailsLog.DIR_PROPERTY, oldDir);
      }
    }
  }
}
