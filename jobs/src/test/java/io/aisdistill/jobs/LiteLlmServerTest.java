package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * select, generate and judge with {@code conf/teachers-local.yaml} (an LLM and the grounded
 * teacher mixed, at GPT-4o's prices under a USD budget) against a real OpenAI-compatible server:
 * the LiteLLM proxy from the venv {@code .venv-llm} (installed by .ci/run) serving
 * {@code conf/litellm-local.yaml} (mock replies, master key = the planted test key) on 127.0.0.1.
 * Tagged llm-server: runs with the real-data profile; fails, never skips, without the venv.
 */
@Tag("llm-server")
class LiteLlmServerTest {
  @TempDir Path tmp;

  @Test
  void generateAndJudgeAgainstLiteLlmProxy() throws Exception {
    Path repo = SparkTestSession.repo();
    Path litellm = repo.resolve(".venv-llm/bin/litellm");
    assertTrue(Files.isExecutable(litellm), "LiteLLM proxy not installed at " + litellm + " (run .ci/run's setup)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(litellm.toString(), "--config", repo.resolve("conf/litellm-local.yaml").toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("litellm.log").toFile());
    pb.environment().put("LITELLM_MASTER_KEY", System.getenv("AIS_DISTILL_TEST_API_KEY"));
    pb.environment().put("LITELLM_TELEMETRY", "False");
    Process proxy = pb.start();
    try {
      long t0 = System.currentTimeMillis();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      boolean up = false;
      while (!up && System.currentTimeMillis() - t0 < 120_000 && proxy.isAlive()) {
        try {
          up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/liveliness")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
          Thread.sleep(250);
        }
      }
      assertTrue(up, "LiteLLM did not start: " + Files.readString(tmp.resolve("litellm.log")));
      System.err.printf("LiteLLM proxy started in %.1f s%n", (System.currentTimeMillis() - t0) / 1000.0);

      // the CI teacher mix (local-teacher and grounded, half the windows each) at GPT-4o's list prices
      String conf = Files.readString(repo.resolve("conf/teachers-local.yaml"))
          .replace("http://127.0.0.1:4000/v1", "http://127.0.0.1:" + port + "/v1")
          .replace("api_key_env: LITELLM_MASTER_KEY", "api_key_env: AIS_DISTILL_TEST_API_KEY")
          .replace("tokenizer: ../../shared", "tokenizer: " + repo.resolve("../shared").normalize())
          .replace("price_in_per_mtok: 0.0", "price_in_per_mtok: 2.5")
          .replace("price_out_per_mtok: 0.0", "price_out_per_mtok: 10.0");
      Path teachers = tmp.resolve("teachers-local.yaml");
      Files.writeString(teachers, conf);
      double budget = 0.1;
      Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
      assertEquals(0, Cli.execute("select", "--lakehouse", lh.root(), "--teachers", teachers.toString(),
          "--set", "select.max_usd=" + budget));
      assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString()));
      assertEquals(0, Cli.execute("judge", "--lakehouse", lh.root(), "--teachers", teachers.toString()));

      Dataset<Row> sel = lh.read(Tables.WINDOW_SELECTION);
      Row est = sel.filter("selected").agg(functions.sum("est_calls"), functions.sum("est_usd")).first();
      assertTrue(sel.filter("reason = 'OVER_BUDGET'").count() > 0, "the budget binds");
      Dataset<Row> calls = lh.read(Tables.LLM_CALLS);
      Dataset<Row> gen = calls.filter(col("purpose").equalTo("generate"));
      long n = gen.filter(col("status").equalTo("ok")).count();
      assertTrue(n > 0 && n == est.getLong(0), "generate calls " + n + " = planned " + est.getLong(0));
      assertEquals(0, calls.filter(col("status").notEqual("ok")).count());
      assertEquals(calls.count(), calls.filter(col("usage_source").equalTo("server")).count());
      double paid = gen.agg(functions.sum("cost_usd")).first().getDouble(0);
      double worst = SelectJobTest.worstCaseUsd(gen, LlmFixture.tokenizer(),
          java.util.Map.of("local-teacher", new double[] {2.5, 10.0}));
      System.err.printf("LiteLLM budget: %d calls, paid USD %.6f, worst case USD %.6f, selection USD %.6f, budget %.2f%n",
          n, paid, worst, est.getDouble(1), budget);
      assertTrue(paid <= budget && worst <= budget && Math.abs(worst - est.getDouble(1)) < 1e-9);
      Dataset<Row> qa = lh.read(Tables.QA_CANDIDATES);
      assertEquals(2 * n, qa.filter(col("teacher").equalTo("local-teacher")).count());
      assertTrue(qa.filter(col("teacher").equalTo("grounded").and(col("call_id").isNull())).count() > 0,
          "the grounded teacher's pairs in the same run");
      Dataset<Row> judged = lh.read(Tables.QA_JUDGED);
      long llmJudged = judged.filter(col("judge_model").equalTo("grounded-v1+local-judge")).count();
      assertEquals(calls.filter(col("purpose").equalTo("judge")).count(), llmJudged);
      // the mock's identity pair names an unknown fact: rejected by the grounded checks, never sent to the judge
      assertEquals(n, judged.filter(org.apache.spark.sql.functions.array_contains(col("reasons"), "UNKNOWN_FACT")).count());
      LlmStagesTest.assertNoKey(lh, "");
      assertTrue(!Files.readString(tmp.resolve("litellm.log")).contains(System.getenv("AIS_DISTILL_TEST_API_KEY")));
    } finally {
      proxy.destroy();
      proxy.waitFor(20, TimeUnit.SECONDS);
      proxy.destroyForcibly();
    }
  }

}
