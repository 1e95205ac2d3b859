package io.aisdistill.jobs;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * generate and judge with {@code conf/teachers-local.yaml} against a real OpenAI-compatible
 * server: the LiteLLM proxy from the venv {@code .venv-llm} (installed by .ci/run) serving
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

      String conf = Files.readString(repo.resolve("conf/teachers-local.yaml"))
          .replace("http://127.0.0.1:4000/v1", "http://127.0.0.1:" + port + "/v1")
          .replace("api_key_env: LITELLM_MASTER_KEY", "api_key_env: AIS_DISTILL_TEST_API_KEY")
          .replace("tokenizer: ../../shared", "tokenizer: " + repo.resolve("../shared").normalize())
          .replace("max_windows: 0", "max_windows: 12");
      Path teachers = tmp.resolve("teachers-local.yaml");
      Files.writeString(teachers, conf);
      Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
      assertEquals(0, Cli.execute("generate", "--lakehouse", lh.root(), "--teachers", teachers.toString()));
      assertEquals(0, Cli.execute("judge", "--lakehouse", lh.root(), "--teachers", teachers.toString()));

      Dataset<Row> calls = lh.read(Tables.LLM_CALLS);
      assertEquals(12, calls.filter(col("purpose").equalTo("generate").and(col("status").equalTo("ok"))).count());
      assertEquals(0, calls.filter(col("status").notEqual("ok")).count());
      assertEquals(calls.count(), calls.filter(col("usage_source").equalTo("server")).count());
      Dataset<Row> qa = lh.read(Tables.QA_CANDIDATES);
      assertEquals(24, qa.filter(col("teacher").equalTo("local-teacher")).count());
      Dataset<Row> judged = lh.read(Tables.QA_JUDGED);
      long llmJudged = judged.filter(col("judge_model").equalTo("grounded-v1+local-judge")).count();
      assertEquals(calls.filter(col("purpose").equalTo("judge")).count(), llmJudged);
      // the mock's identity pair names an unknown fact: rejected by the grounded checks, never sent to the judge
      assertEquals(12, judged.filter(org.apache.spark.sql.functions.array_contains(col("reasons"), "UNKNOWN_FACT")).count());
      LlmStagesTest.assertNoKey(lh, "");
      assertTrue(!Files.readString(tmp.resolve("litellm.log")).contains(System.getenv("AIS_DISTILL_TEST_API_KEY")));
    } finally {
      proxy.destroy();
      proxy.waitFor(20, TimeUnit.SECONDS);
      proxy.destroyForcibly();
    }
  }

}
