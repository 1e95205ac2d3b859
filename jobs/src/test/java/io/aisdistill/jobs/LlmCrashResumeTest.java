package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.select.SelectStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.llm.TeacherConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the generate JVM in the middle of its LLM calls, then a rerun: the final
 * llm_calls and qa_candidates equal those of an uninterrupted run, no call that was answered and
 * recorded (in llm_calls or the journal) is sent again, and at most the calls in flight at the
 * kill (tasks x max_concurrency = 2) are resent. Requests are counted at the server.
 *
 * <p>Only the killed run needs a JVM of its own: the rerun and the reference run are in this JVM
 * (a second subprocess would add a JVM and Spark start-up, and tell nothing more: the rerun finds
 * what the killed JVM left on disk either way), and the reference lakehouse is a copy of the
 * selected one instead of a second select run.
 */
class LlmCrashResumeTest {
  @TempDir Path tmp;

  private Process generate(Path lakehouse, Path teachers, String runId) throws Exception {
    Path flags = SparkTestSession.repo().resolve("jobs/target/classes/ais-distill-jvm.options");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(Files.readString(flags).trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), "io.aisdistill.jobs.cli.Cli", "generate",
        "--lakehouse", lakehouse.toString(), "--teachers", teachers.toString(), "--run-id", runId,
        "--set", "spark.master=local[2]", "--set", "spark.shuffle_partitions=4"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve(runId + ".log").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  @Test
  void killMidRunThenRerunPaysEachRecordedCallOnce() throws Exception {
    Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("crash"));
    try (LoopbackChatServer server = new LoopbackChatServer(LoopbackChatServer::teacherReply, 150)) {
      Path teachers = LlmFixture.teacherFile(tmp, server.baseUrl(), 40, 2);
      new SelectStage(TeacherConfig.load(teachers)).run(new StageContext(SparkTestSession.get(), lh, LlmFixture.UNCAPPED, "select"));
      // the reference: the same windows and selection, copied before any generate call
      LlmFixture.copy(Path.of(lh.root()), tmp.resolve("ref"));
      Lakehouse ref = new Lakehouse(SparkTestSession.get(), tmp.resolve("ref").toString());
      Process p = generate(Path.of(lh.root()), teachers, "crash1");
      long deadline = System.currentTimeMillis() + 180_000;
      while (server.okPerCall.size() < 15 && p.isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(p.isAlive(), "generate ended before the kill: " + Files.readString(tmp.resolve("crash1.log")));
      p.destroyForcibly();   // SIGKILL
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      int answeredBeforeKill = server.okPerCall.size();
      Set<String> answered = new HashSet<>(server.okPerCall.keySet());
      Set<String> recorded = recordedCalls(lh);
      assertTrue(recorded.size() >= 10 && recorded.size() < 40, "recorded at the kill: " + recorded.size());
      server.perCall.clear();
      server.okPerCall.clear();

      // the rerun, in this JVM, through the same command as the killed one
      assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
          "--run-id", "crash2", "--set", "spark.master=local[2]", "--set", "spark.shuffle_partitions=4"), "rerun");
      Set<String> resent = new HashSet<>(server.perCall.keySet());
      resent.retainAll(answered);
      for (String id : recorded) {
        assertTrue(!server.perCall.containsKey(id), "recorded call " + id + " was sent again");
      }
      assertTrue(resent.size() <= 2, "resent " + resent.size() + " calls (in flight at the kill: at most 2)");
      assertEquals(40 - answeredBeforeKill + resent.size(), server.okPerCall.size());
      System.err.printf("crash test: answered before kill %d, recorded %d, resent after %d, sent by rerun %d%n",
          answeredBeforeKill, recorded.size(), resent.size(), server.okPerCall.size());

      new GenerateStage(TeacherConfig.load(teachers)).run(new StageContext(SparkTestSession.get(), ref, SparkTestSession.config(), "ref"));
    }
    Lakehouse ref = new Lakehouse(SparkTestSession.get(), tmp.resolve("ref").toString());
    // the subprocess wrote to these tables too: read by path
    var spark = SparkTestSession.get();
    Dataset<Row> crashQa = spark.read().format("delta").load(lh.path(Tables.QA_CANDIDATES));
    Dataset<Row> crashCalls = spark.read().format("delta").load(lh.path(Tables.LLM_CALLS));
    assertEquals(rows(ref.read(Tables.QA_CANDIDATES)), rows(crashQa));
    String[] stable = {"call_id", "purpose", "teacher", "model", "endpoint", "window_id", "request_json", "content",
        "status", "http_status", "parse_error", "tokens_in", "tokens_out", "usage_source", "cost_usd"};
    assertEquals(rows(ref.read(Tables.LLM_CALLS).selectExpr(stable)), rows(crashCalls.selectExpr(stable)));
    assertEquals(40, crashCalls.count());
  }

  /** call_ids in llm_calls (status ok) or in the journal. */
  private static Set<String> recordedCalls(Lakehouse lh) throws Exception {
    Set<String> ids = new HashSet<>();
    if (Files.exists(Path.of(lh.path(Tables.LLM_CALLS), "_delta_log", "00000000000000000000.json"))) {
      for (Row r : SparkTestSession.get().read().format("delta").load(lh.path(Tables.LLM_CALLS)).filter("status = 'ok'").select("call_id").collectAsList()) {
        ids.add(r.getString(0));
      }
    }
    Path j = Path.of(lh.root(), LlmFanout.JOURNAL);
    if (Files.isDirectory(j)) {
      try (Stream<Path> s = Files.list(j)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
            .forEach(n -> ids.add(n.substring(0, n.length() - 5)));
      }
    }
    return ids;
  }

  private static List<String> rows(Dataset<Row> d) {
    List<String> out = new ArrayList<>(d.collectAsList().stream().map(Row::toString).toList());
    out.sort(null);
    return out;
  }

}
