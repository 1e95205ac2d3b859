package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llm.max_failed_share} (issue 13) on the generate stage through the CLI, with a real HTTP
 * server on 127.0.0.1 ({@link LoopbackChatServer}) and an unreachable endpoint: the stage exits 1
 * with a one-line message of the counts when more than the share of its calls failed, after the
 * calls that succeeded are in llm_calls (a rerun sends only the failed ones), and exits 0 at a
 * share below it; the same for the judge stage with an unreachable LLM judge.
 */
class LlmFailedShareTest {
  @TempDir Path tmp;

  /** A teacher file: one generate-teacher at {@code baseUrl}, sequential calls, 2 attempts per call, no judge. */
  private static Path teacherFile(Path dir, String baseUrl, int maxWindows) throws IOException {
    return LlmFixture.teacherFile(dir, baseUrl, maxWindows, 1, false, 2);
  }

  /** Runs {@code cli} with stderr captured; returns the exit status and what was printed. */
  private static Object[] captured(Callable<Integer> cli) throws Exception {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = cli.call();
    } finally {
      System.setErr(oldErr);
    }
    String err = buf.toString(StandardCharsets.UTF_8);
    oldErr.print(err);
    return new Object[] {rc, err};
  }

  private static String errorLine(String err) {
    List<String> l = err.lines().filter(s -> s.startsWith("ais-distill generate: error: ")).toList();
    assertEquals(1, l.size(), err);
    return l.get(0);
  }

  @Test
  void unreachableTeacherFailsTheStageWithTheCounts() throws Exception {
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();   // closed again: connections are refused
    }
    String url = "http://127.0.0.1:" + port + "/v1";
    Path teachers = teacherFile(tmp.resolve("t"), url, 6);
    assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
        "--set", "select.max_stopped_share=1"));
    Object[] r = captured(() -> Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
        "--run-id", "g1"));
    String line = errorLine((String) r[1]);
    assertEquals(1, r[0]);
    assertTrue(line.contains("generate: 6 of 6 LLM calls failed (share 1.00 > llm.max_failed_share 0.5); "
        + "0 succeeded calls are journaled in llm_calls"), line);
    assertTrue(line.contains("first error: NETWORK: ConnectException") && line.contains(url), line);
    Dataset<Row> calls = lh.read(Tables.LLM_CALLS);
    assertEquals(6, calls.count());
    assertEquals(6, calls.filter(col("status").equalTo("failed").and(col("attempts").equalTo(2))).count());
    assertFalse(lh.exists(Tables.QA_CANDIDATES), "no pairs written by a failed stage");

    // llm.max_failed_share=1: never fails on call errors (the old behaviour)
    assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
        "--run-id", "g2", "--set", "llm.max_failed_share=1"));
  }

  @Test
  void failedShareAboveTheLimitFailsAfterJournalingAndARerunSendsOnlyTheFailedCalls() throws Exception {
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
    try (LoopbackChatServer server = new LoopbackChatServer(LoopbackChatServer::teacherReply, 0)) {
      Path teachers = teacherFile(tmp.resolve("t"), server.baseUrl(), 12);
      assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
          "--set", "select.max_stopped_share=1"));
      String[] gen = {"generate", "--lakehouse", lh.root(), "--teachers", teachers.toString()};

      // 8 of 12 calls answered 400 (not retried): share 0.67 > 0.5
      server.faults.addAll(Collections.nCopies(8, LoopbackChatServer.Fault.BAD_REQUEST));
      Object[] r = captured(() -> Cli.execute(gen));
      String line = errorLine((String) r[1]);
      assertEquals(1, r[0]);
      assertTrue(line.contains("generate: 8 of 12 LLM calls failed (share 0.67 > llm.max_failed_share 0.5); "
          + "4 succeeded calls are journaled in llm_calls"), line);
      assertTrue(line.contains("first error: HTTP 400 (loop-teacher http://127.0.0.1:"), line);
      Dataset<Row> calls = lh.read(Tables.LLM_CALLS);
      assertEquals(12, calls.count());
      assertEquals(4, calls.filter(col("status").equalTo("ok")).count());
      assertEquals(4, server.okPerCall.size());
      assertEquals(12, server.requests.get());

      // rerun: only the 8 failed calls are sent; 2 of them fail: share 0.25 <= 0.5, the stage succeeds
      server.faults.addAll(Collections.nCopies(2, LoopbackChatServer.Fault.BAD_REQUEST));
      assertEquals(0, Cli.execute(gen));
      assertEquals(20, server.requests.get(), "the rerun sent the 8 failed calls only");
      assertEquals(10, server.okPerCall.size());
      assertTrue(server.okPerCall.values().stream().allMatch(c -> c.get() == 1), "a paid call was sent again");
      calls = lh.read(Tables.LLM_CALLS);
      assertEquals(12, calls.count());
      assertEquals(10, calls.filter(col("status").equalTo("ok")).count());
      assertEquals(30, lh.read(Tables.QA_CANDIDATES).count(), "3 pairs per answered window");
    }

    // judge with an LLM judge that cannot be reached: every judge call fails, the stage exits 1
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path judges = tmp.resolve("j/teachers.yaml");
    Files.createDirectories(judges.getParent());
    Files.writeString(judges, """
        tasks: 1
        models:
          - name: loop-judge
            role: judge
            base_url: http://127.0.0.1:%d/v1
            model: loop-judge-model
            max_concurrency: 4
            max_attempts: 1
            timeout_s: 5
        """.formatted(port));
    Object[] r = captured(() -> Cli.execute("judge", "--lakehouse", lh.root(), "--teachers", judges.toString()));
    assertEquals(1, r[0]);
    List<String> l = ((String) r[1]).lines().filter(s -> s.startsWith("ais-distill judge: error: ")).toList();
    assertEquals(1, l.size(), (String) r[1]);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "judge: (\\d+) of (\\d+) LLM calls failed \\(share 1\\.00 > llm\\.max_failed_share 0\\.5\\); "
            + "0 succeeded calls are journaled").matcher(l.get(0));
    assertTrue(m.find() && m.group(1).equals(m.group(2)) && Long.parseLong(m.group(1)) > 0, l.get(0));
    assertEquals(Long.parseLong(m.group(1)), lh.read(Tables.LLM_CALLS)
        .filter(col("purpose").equalTo("judge").and(col("status").equalTo("failed"))).count());
    assertFalse(lh.exists(Tables.QA_JUDGED), "no verdicts written by a failed stage");
  }
}
