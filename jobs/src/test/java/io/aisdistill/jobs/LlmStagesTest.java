package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate and judge with LLM teachers (loopback server with injected faults) through the CLI:
 * every call in llm_calls once, replies parsed into qa_candidates, the LLM judge combined with the
 * grounded checks, a rerun sends nothing, and the planted API key is in no table, file or output.
 */
class LlmStagesTest {
  static final String KEY = "sk-planted-3f9c2e7a1b";
  @TempDir Path tmp;

  @Test
  void generateAndJudgeWithLlmTeachersPayEachCallOnce() throws Exception {
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    try (LoopbackChatServer server = new LoopbackChatServer(LoopbackChatServer::teacherReply, 20)) {
      PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
      System.setErr(tee);
      System.setOut(tee);
      server.faults.addAll(List.of(LoopbackChatServer.Fault.RATE_LIMIT, LoopbackChatServer.Fault.ERROR_503,
          LoopbackChatServer.Fault.DROP, LoopbackChatServer.Fault.ERROR_500));
      Path teachers = LlmFixture.teacherFile(tmp, server.baseUrl(), 24, 4);
      assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
          "--set", "select.max_stopped_share=1"));
      String[] gen = {"generate", "--lakehouse", lh.root(), "--teachers", teachers.toString(), "--run-id", "r1"};
      assertEquals(0, Cli.execute(gen));

      Dataset<Row> calls = lh.read(Tables.LLM_CALLS);
      assertEquals(24, calls.count());
      assertEquals(24, calls.filter(col("status").equalTo("ok")).count());
      assertEquals(24, server.okPerCall.size());
      assertTrue(server.okPerCall.values().stream().allMatch(c -> c.get() == 1), "a call answered twice");
      assertEquals(4, calls.agg(functions.sum("rate_limited").plus(functions.sum("attempts")).minus(24)
          .minus(functions.sum("rate_limited"))).first().getLong(0), "four retried attempts");
      Dataset<Row> qa = lh.read(Tables.QA_CANDIDATES);
      assertEquals(72, qa.count());
      assertEquals(72, qa.filter(col("teacher").equalTo("loop-teacher").and(col("call_id").isNotNull())
          .and(col("prompt_version").equalTo("window-v2"))).count());
      assertTrue(qa.agg(functions.sum("cost_usd")).first().getDouble(0) > 0);

      int before = server.requests.get();
      assertEquals(0, Cli.execute(gen));
      assertEquals(before, server.requests.get(), "a rerun sends nothing");
      assertEquals(72, lh.read(Tables.QA_CANDIDATES).count());

      String[] judge = {"judge", "--lakehouse", lh.root(), "--teachers", teachers.toString(), "--run-id", "r2"};
      assertEquals(0, Cli.execute(judge));
      Dataset<Row> j = lh.read(Tables.QA_JUDGED);
      assertEquals(72, j.count());
      long llmJudged = j.filter(col("judge_model").equalTo("grounded-v1+loop-judge-model")).count();
      long judgeCalls = lh.read(Tables.LLM_CALLS).filter(col("purpose").equalTo("judge")).count();
      assertTrue(llmJudged > 0 && llmJudged == judgeCalls, llmJudged + " vs " + judgeCalls);
      assertEquals(5.0, j.filter(col("judge_scores").isNotNull()).first().<String, Double>getJavaMap(
          j.schema().fieldIndex("judge_scores")).get("faithfulness"));
      assertTrue(j.filter(functions.array_contains(col("reasons"), "UNKNOWN_FACT")).count() >= 24);
      assertTrue(j.filter(functions.array_contains(col("reasons"), "CLAIM_MISMATCH")).count() >= 20);
      String report = Files.readString(lh.path("_reports/latest.md") == null ? null : Path.of(lh.root(), "_reports", "latest.md"));
      assertTrue(report.contains("QA by teacher") && report.contains("loop-teacher"), report);
      assertTrue(report.contains("LLM calls by model (judge, this run)"), report);
      assertFalse(List.copyOf(server.authHeaders).isEmpty());
      assertTrue(server.authHeaders.stream().allMatch(h -> h.equals("Bearer " + KEY)));
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
      oldErr.print(captured.toString(StandardCharsets.UTF_8));
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("llm calls 24/24"), "progress line");
    assertNoKey(lh, out);
  }

  /** The planted key is in no string of any table, no text file under the lakehouse, no output. */
  static void assertNoKey(Lakehouse lh, String output) throws Exception {
    assertFalse(output.contains(KEY), "key in the output");
    for (String t : List.of(Tables.LLM_CALLS, Tables.QA_CANDIDATES, Tables.QA_JUDGED, Tables.PROMPTS)) {
      if (!lh.exists(t)) {
        continue;
      }
      Dataset<Row> d = lh.read(t);
      org.apache.spark.sql.Column all = functions.concat_ws("|", Arrays.stream(d.columns())
          .map(c -> col(c).cast("string")).toArray(org.apache.spark.sql.Column[]::new));
      assertEquals(0, d.filter(all.contains(KEY)).count(), "key in table " + t);
    }
    try (Stream<Path> s = Files.walk(Path.of(lh.root()))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(p);
        assertFalse(new String(b, StandardCharsets.ISO_8859_1).contains(KEY), "key in " + p);
      }
    }
  }
}
