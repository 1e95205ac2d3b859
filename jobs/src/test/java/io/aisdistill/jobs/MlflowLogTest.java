package io.aisdistill.jobs;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.evaluate.EvaluateStage;
import io.aisdistill.jobs.tracking.MlflowLog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aisdistill.common.eval.SummaryRow;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MlflowLog} against a real MLflow tracking server: {@code mlflow server} from the venv named
 * by system property or env {@code AIS_DISTILL_MLFLOW} (path to the {@code mlflow} executable;
 * default {@code <repo>/.venv-mlflow/bin/mlflow}, which .ci/run creates: {@code python3 -m venv .venv-mlflow &&
 * .venv-mlflow/bin/pip install 'mlflow[auth]==3.17.2'}, and exports as AIS_DISTILL_MLFLOW), with a SQLite
 * backend store, the artifact proxy on a temp directory, and MLflow's basic-auth app (so the
 * credentials are really checked). Results are read back over the REST API. Tagged mlflow-server:
 * runs with the real-data profile; fails, never skips, without the executable.
 */
@Tag("mlflow-server")
class MlflowLogTest {
  private static final String ADMIN = "admin";
  private static final String ADMIN_PASSWORD = "test-admin-pw-5e1d";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path tmp;
  private static Process server;
  private static String uri;

  @BeforeAll
  static void startServer() throws Exception {
    String configured = System.getProperty("AIS_DISTILL_MLFLOW", System.getenv("AIS_DISTILL_MLFLOW"));
    Path mlflow = configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(System.getProperty("ais.repo.dir", "..")).resolve(".venv-mlflow/bin/mlflow").toAbsolutePath().normalize();
    assertTrue(Files.isExecutable(mlflow), "mlflow not installed at " + mlflow
        + " (set AIS_DISTILL_MLFLOW to the mlflow executable, or: python3 -m venv .venv-mlflow && "
        + ".venv-mlflow/bin/pip install 'mlflow[auth]==3.17.2', as .ci/run does)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    uri = "http://127.0.0.1:" + port;
    Path log = tmp.resolve("mlflow-server.log");
    ProcessBuilder pb = new ProcessBuilder(mlflow.toString(), "server", "--app-name", "basic-auth",
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--workers", "1",
        "--backend-store-uri", "sqlite:///" + tmp.resolve("mlflow.db"),
        "--artifacts-destination", tmp.resolve("artifacts").toString())
        .directory(tmp.toFile()) // basic_auth.db lands in the working directory
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MLFLOW_AUTH_ADMIN_PASSWORD", ADMIN_PASSWORD);
    pb.environment().put("MLFLOW_FLASK_SERVER_SECRET_KEY", "test-only-csrf-key");
    pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"); // no huey workers: not needed here
    pb.environment().keySet().removeIf(k -> k.startsWith("MLFLOW_TRACKING_"));
    server = pb.start();
    long t0 = System.currentTimeMillis();
    boolean up = false;
    while (!up && System.currentTimeMillis() - t0 < 180_000 && server.isAlive()) {
      try {
        up = HTTP.send(HttpRequest.newBuilder(URI.create(uri + "/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        Thread.sleep(250);
      }
    }
    assertTrue(up, "mlflow server did not start: " + Files.readString(log));
    System.err.printf("mlflow server started in %.1f s%n", (System.currentTimeMillis() - t0) / 1000.0);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server == null) {
      return;
    }
    List<ProcessHandle> children = server.descendants().toList();
    server.destroy();
    children.forEach(ProcessHandle::destroy);
    server.waitFor(20, TimeUnit.SECONDS);
    server.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static Map<String, String> adminEnv() {
    return Map.of("MLFLOW_TRACKING_USERNAME", ADMIN, "MLFLOW_TRACKING_PASSWORD", ADMIN_PASSWORD);
  }

  private static final List<SummaryRow> ROWS = List.of(
      new SummaryRow("Qwen/Qwen2.5-0.5B-Instruct+lora", "student", "all", 120, 118, 97, 97 / 118.0,
          0.744, 0.881, 412.5, 1033.0, 612.25, 41.5, 0.0123, "self-hosted"),
      new SummaryRow("Qwen/Qwen2.5-0.5B-Instruct+lora", "student", "port call", 40, 40, 35, 0.875,
          0.739, 0.945, 398.0, 990.0, 600.0, 40.0, 0.0121, "self-hosted"),
      new SummaryRow("gpt-x", "teacher", "all", 120, 0, 0, null, null, null, 1500.0, 4200.0, 610.0, 80.0, null, null));

  @Test
  void logsSummaryParamsAndArtifactsAndReadsThemBack() throws Exception {
    Path report = Files.createDirectories(tmp.resolve("report"));
    Files.writeString(report.resolve("report.md"), "# eval\n\n| model | accuracy |\n");
    Files.writeString(report.resolve("summary.json"), "[]\n");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
    Files.write(report.resolve("accuracy_by_category.png"), png);
    Map<String, String> params = new HashMap<>();
    params.put("models", "Qwen/Qwen2.5-0.5B-Instruct+lora,gpt-x");
    params.put("price.gpt-x.usd_per_1m_in", "0.15");
    params.put("hardware gpu", "L4 @ 0.80 USD/h");
    params.put("export_id", "exp-20261121-0001");
    params.put("api_key_env", "OPENAI_API_KEY"); // names a variable, not a secret: allowed

    Optional<String> runId = MlflowLog.log(uri, "ais-distill-eval", "run-42", params, ROWS, report, adminEnv());
    assertTrue(runId.isPresent());
    JsonNode run = get("runs/get?run_id=" + runId.get()).path("run");

    assertEquals("FINISHED", run.path("info").path("status").asText());
    assertEquals("run-42", run.path("info").path("run_name").asText());
    assertTrue(run.path("info").path("end_time").asLong() >= run.path("info").path("start_time").asLong());
    Map<String, String> tags = pairs(run.path("data").path("tags"));
    assertEquals("run-42", tags.get("ais_distill.run_id"));
    assertEquals("student", tags.get("ais_distill.role.Qwen_Qwen2.5-0.5B-Instruct_lora"));
    assertEquals("teacher", tags.get("ais_distill.role.gpt-x"));

    Map<String, String> gotParams = pairs(run.path("data").path("params"));
    assertEquals(Map.of("models", "Qwen/Qwen2.5-0.5B-Instruct+lora,gpt-x", "price.gpt-x.usd_per_1m_in", "0.15",
        "hardware_gpu", "L4 @ 0.80 USD/h", "export_id", "exp-20261121-0001", "api_key_env", "OPENAI_API_KEY"), gotParams);

    Map<String, Double> m = new HashMap<>();
    run.path("data").path("metrics").forEach(x -> m.put(x.path("key").asText(), x.path("value").asDouble()));
    String s = "Qwen_Qwen2.5-0.5B-Instruct_lora";
    assertEquals(97 / 118.0, m.get("accuracy." + s + ".all"), 1e-12);
    assertEquals(0.744, m.get("ci_low." + s + ".all"), 1e-12);
    assertEquals(0.881, m.get("ci_high." + s + ".all"), 1e-12);
    assertEquals(412.5, m.get("latency_p50_ms." + s + ".all"), 1e-12);
    assertEquals(1033.0, m.get("latency_p95_ms." + s + ".all"), 1e-12);
    assertEquals(0.0123, m.get("usd_per_1k_queries." + s + ".all"), 1e-12);
    assertEquals(120.0, m.get("n." + s + ".all"));
    assertEquals(118.0, m.get("scored." + s + ".all"));
    assertEquals(97.0, m.get("correct." + s + ".all"));
    assertEquals(612.25, m.get("mean_tokens_in." + s + ".all"), 1e-12);
    assertEquals(0.875, m.get("accuracy." + s + ".port_call"), 1e-12);
    assertEquals(1500.0, m.get("latency_p50_ms.gpt-x.all"), 1e-12);
    // nothing scored / unpriced: no accuracy, interval or cost metric rather than a made-up 0
    assertFalse(m.containsKey("accuracy.gpt-x.all"));
    assertFalse(m.containsKey("ci_low.gpt-x.all"));
    assertFalse(m.containsKey("usd_per_1k_queries.gpt-x.all"));
    assertEquals(11 + 11 + 7, m.size());

    JsonNode listed = get("artifacts/list?run_id=" + runId.get() + "&path=" + MlflowLog.ARTIFACT_DIR).path("files");
    Map<String, Long> files = new HashMap<>();
    listed.forEach(f -> files.put(f.path("path").asText(), f.path("file_size").asLong()));
    assertEquals(Map.of("report/report.md", Files.size(report.resolve("report.md")),
        "report/summary.json", 3L, "report/accuracy_by_category.png", (long) png.length), files);
    String root = URI.create(run.path("info").path("artifact_uri").asText()).getPath();
    HttpResponse<byte[]> dl = HTTP.send(authed(uri + "/api/2.0/mlflow-artifacts/artifacts" + root
        + "/report/accuracy_by_category.png").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, dl.statusCode());
    assertArrayEquals(png, dl.body());

    // a second run in the same experiment: the experiment is reused, not recreated
    Optional<String> second = MlflowLog.log(uri + "/", "ais-distill-eval", "run-43", Map.of(), ROWS.subList(2, 3), null, adminEnv());
    JsonNode run2 = get("runs/get?run_id=" + second.orElseThrow()).path("run");
    assertNotEquals(runId.get(), second.get());
    assertEquals(run.path("info").path("experiment_id").asText(), run2.path("info").path("experiment_id").asText());
    assertEquals("FINISHED", run2.path("info").path("status").asText());
    assertEquals(0, get("artifacts/list?run_id=" + second.get()).path("files").size());
  }

  @Test
  void evaluateStageLogsItsModelsAndSummary() throws Exception {
    Path mf = tmp.resolve("models.yaml");
    Files.writeString(mf, """
        models:
          - {name: student, role: student, base_url: "http://127.0.0.1:9/v1", model: student, revision: abc123,
             gpu: CPU, gpu_usd_per_hour: 0.09, api_key_env: SOME_KEY_VAR}
          - {name: gpt-x, role: teacher, model: gpt-x, price_in_per_mtok: 2.5, price_out_per_mtok: 10}
        """);
    PipelineConfig cfg = PipelineConfig.load(null, List.of("evaluate.mlflow_tracking_uri=" + uri,
        "evaluate.mlflow_experiment=ais-distill-hook"));
    StageReport rep = new StageReport("evaluate");
    EvaluateStage.MlflowHook.log(cfg, "e1d", "run-7", "export x", io.aisdistill.common.llm.ModelsFile.load(mf),
        ROWS, null, rep, adminEnv());
    String id = (String) rep.get("mlflow_run_id");
    JsonNode run = get("runs/get?run_id=" + id).path("run");
    assertEquals("evaluate-e1d", run.path("info").path("run_name").asText());
    Map<String, String> params = pairs(run.path("data").path("params"));
    assertEquals("student", params.get("model.student.role"));
    assertEquals("abc123", params.get("model.student.revision"));
    assertEquals("0.09", params.get("model.student.gpu_usd_per_hour"));
    assertEquals("2.5", params.get("model.gpt-x.price_in_per_mtok"));
    assertEquals("e1d", params.get("eval_id"));
    assertFalse(params.values().stream().anyMatch(v -> v.contains(ADMIN_PASSWORD)));
    // no URI in the configuration nor the environment: nothing is logged
    StageReport none = new StageReport("evaluate");
    EvaluateStage.MlflowHook.log(PipelineConfig.load(null, List.of()), "e1d", "run-7", "x",
        io.aisdistill.common.llm.ModelsFile.load(mf), ROWS, null, none, Map.of());
    assertEquals(null, none.get("mlflow_run_id"));
  }

  @Test
  void blankTrackingUriDoesNothing() throws Exception {
    assertEquals(Optional.empty(), MlflowLog.log(" ", "ais-distill-blank", "r", Map.of("a", "b"), ROWS, null, adminEnv()));
    assertEquals(Optional.empty(), MlflowLog.log(null, "ais-distill-blank", "r", Map.of("a", "b"), ROWS, null, adminEnv()));
    HttpResponse<String> r = HTTP.send(authed(uri + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=ais-distill-blank")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode(), r.body());
  }

  @Test
  void wrongCredentialsFailWithStatusAndRedactedUri() {
    String withUserInfo = uri.replace("http://", "http://someone:uri-secret-77@") + "/?token=q-secret-88";
    Map<String, String> env = Map.of("MLFLOW_TRACKING_USERNAME", ADMIN, "MLFLOW_TRACKING_PASSWORD", "wrong-pw-99");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> MlflowLog.log(withUserInfo, "ais-distill-eval", "r", Map.of(), ROWS, null, env));
    assertTrue(e.getMessage().contains(uri + "/"), e.getMessage());
    assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
    for (String secret : List.of("uri-secret-77", "q-secret-88", "wrong-pw-99", "someone")) {
      assertFalse(e.getMessage().contains(secret), e.getMessage());
    }
  }

  @Test
  void secretLookingParamsAreRefusedBeforeAnyCall() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MlflowLog.log(uri, "ais-distill-eval", "r", Map.of("openai_api_key", "sk-x"), ROWS, null, adminEnv()));
    assertTrue(e.getMessage().contains("openai_api_key"));
    assertThrows(IllegalArgumentException.class, () -> MlflowLog.log(uri, "ais-distill-eval", "r",
        Map.of("note", "pw=" + ADMIN_PASSWORD), ROWS, null, adminEnv()));
  }

  private static HttpRequest.Builder authed(String url) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic "
        + Base64.getEncoder().encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
  }

  private static JsonNode get(String endpoint) throws Exception {
    int q = endpoint.indexOf('?');
    String query = q < 0 ? "" : endpoint.substring(q + 1);
    StringBuilder enc = new StringBuilder();
    for (String kv : query.split("&")) {
      if (kv.isEmpty()) {
        continue;
      }
      String[] p = kv.split("=", 2);
      enc.append(enc.length() == 0 ? "?" : "&").append(p[0]).append('=')
          .append(URLEncoder.encode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8));
    }
    String url = uri + "/api/2.0/mlflow/" + (q < 0 ? endpoint : endpoint.substring(0, q)) + enc;
    HttpResponse<String> r = HTTP.send(authed(url).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return JSON.readTree(r.body());
  }

  private static Map<String, String> pairs(JsonNode array) {
    Map<String, String> out = new HashMap<>();
    array.forEach(x -> out.put(x.path("key").asText(), x.path("value").asText()));
    return out;
  }
}
