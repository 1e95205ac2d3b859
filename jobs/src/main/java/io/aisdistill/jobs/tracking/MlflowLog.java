package io.aisdistill.jobs.tracking;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aisdistill.common.eval.SummaryRow;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Logs an evaluation summary to an MLflow tracking server as one run: tags, params, one metric per
 * summary row and measure, and the report directory as artifacts.
 *
 * <p><b>Why the REST API and not {@code org.mlflow:mlflow-client}.</b> The Java client's last
 * release on Maven Central is 2.17.2 (October 2024); it has not followed MLflow 3. It is a 8.6 MB
 * jar with shaded protobuf/httpclient/guava and a compile dependency on slf4j-api 1.7.25 (Spark 4.2
 * brings slf4j 2.x). Above all its artifact logging ({@code CliBasedArtifactRepository}) forks
 * {@code python -m mlflow.store.artifact.cli}, i.e. it needs a Python MLflow install on the driver.
 * The documented REST API needs nothing beyond the JDK {@link HttpClient} and Jackson, both already
 * on the classpath, and uploads artifacts through the tracking server's artifact proxy.
 *
 * <p><b>Calls</b> (MLflow REST API, https://mlflow.org/docs/latest/api_reference/rest-api.html):
 * {@code GET  /api/2.0/mlflow/experiments/get-by-name}, {@code POST /api/2.0/mlflow/experiments/create}
 * (when the name does not exist), {@code POST /api/2.0/mlflow/runs/create},
 * {@code POST /api/2.0/mlflow/runs/log-batch} (params in chunks of 100, metrics in chunks of 1000:
 * the documented per-request limits), artifact upload {@code PUT
 * /api/2.0/mlflow-artifacts/artifacts/<path>} (the artifact proxy of a server started with
 * {@code --serve-artifacts}, the default since MLflow 2.0), then {@code POST /api/2.0/mlflow/runs/update}
 * with status {@code FINISHED} and the end time. When any call after the run exists fails, the run is
 * set to {@code FAILED} (best effort) before the error is thrown.
 *
 * <p><b>Authentication</b>, as MLflow defines it for its clients
 * (https://mlflow.org/docs/latest/auth/): {@code MLFLOW_TRACKING_TOKEN} gives {@code Authorization:
 * Bearer <token>}; otherwise {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}
 * give HTTP basic auth. Credentials are only sent, never logged; the tracking URI in messages has its
 * user info and query removed.
 *
 * <p><b>Names.</b> MLflow allows alphanumerics, {@code _ - . space : /} in metric, param and tag keys
 * and rejects keys that are not normalized paths. Each part of a key (model, category, param name)
 * is reduced to {@code [A-Za-z0-9_.-]}, every other character becoming {@code _} (so {@code
 * Qwen/Qwen2.5-0.5B} becomes {@code Qwen_Qwen2.5-0.5B}); keys are cut at 250 characters and param
 * values at 6000 (the server's limits). Two inputs that map to the same key are an error, not a
 * silent overwrite.
 *
 * <p><b>Metrics</b>, for each summary row, key {@code <measure>.<model>.<category>}, step 0:
 * {@code accuracy}, {@code ci_low}, {@code ci_high} (fractions in [0, 1]; absent when the row has
 * nothing scored), {@code latency_p50_ms}, {@code latency_p95_ms} (milliseconds),
 * {@code mean_tokens_in}, {@code mean_tokens_out}, {@code usd_per_1k_queries} (USD; absent when the
 * model is unpriced), {@code n}, {@code scored}, {@code correct} (counts). Tags: {@code
 * ais_distill.run_id} = the run name, {@code ais_distill.role.<model>} and {@code
 * ais_distill.cost_basis.<model>}.
 */
public final class MlflowLog {
  private static final Logger LOG = LoggerFactory.getLogger(MlflowLog.class);

  /** Artifact directory inside the run under which the report files are uploaded. */
  public static final String ARTIFACT_DIR = "report";

  static final int MAX_KEY = 250;
  static final int MAX_PARAM_VALUE = 6000;
  static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
  static final int MAX_METRICS_PER_BATCH = 1000;

  /** Param names that would carry a secret; a name ending in {@code _env} names a variable and is fine. */
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?i).*(api[_.-]?key|token|secret|password|passwd|authorization|credential).*");
  private static final Pattern BAD_CHARS = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private MlflowLog() {}

  /**
   * Logs the summary as a new MLflow run, credentials from the process environment.
   *
   * @param trackingUri MLflow tracking server, {@code http(s)://host[:port][/prefix]} (callers pass
   *     their config value or {@code MLFLOW_TRACKING_URI}); null or blank: nothing is done
   * @param experiment experiment name, created when missing
   * @param runName MLflow run name, also tagged {@code ais_distill.run_id}
   * @param params run params (models, prices, hardware assumptions, export id...); keys that look
   *     like secrets are refused
   * @param rows summary rows, one metric per row and measure
   * @param reportDir directory whose regular files (recursively) are uploaded under
   *     {@value #ARTIFACT_DIR}/; null or missing: no artifacts
   * @return the MLflow run id, or empty when {@code trackingUri} is null or blank
   * @throws IllegalArgumentException for a non-HTTP tracking URI, a secret-looking param name, or
   *     two names that sanitize to the same key
   * @throws IllegalStateException when the server is unreachable or answers an error; the message
   *     names the tracking URI (without credentials), the call and the HTTP status
   */
  public static Optional<String> log(String trackingUri, String experiment, String runName,
      Map<String, String> params, List<SummaryRow> rows, Path reportDir) {
    return log(trackingUri, experiment, runName, params, rows, reportDir, System.getenv());
  }

  /** As {@link #log(String, String, String, Map, List, Path)}, credentials read from {@code env}. */
  public static Optional<String> log(String trackingUri, String experiment, String runName,
      Map<String, String> params, List<SummaryRow> rows, Path reportDir, Map<String, String> env) {
    if (trackingUri == null || trackingUri.isBlank()) {
      return Optional.empty();
    }
    Objects.requireNonNull(experiment, "experiment");
    Objects.requireNonNull(runName, "runName");
    Client c = new Client(trackingUri.strip(), auth(env));
    Map<String, String> p = params(params, env);
    List<ObjectNode> metrics = metrics(rows);
    Map<String, String> tags = tags(runName, rows);

    String experimentId = c.experimentId(experiment);
    long start = System.currentTimeMillis();
    ObjectNode create = JSON.createObjectNode().put("experiment_id", experimentId).put("run_name", runName)
        .put("start_time", start);
    ArrayNode tagArray = create.putArray("tags");
    tags.forEach((k, v) -> tagArray.addObject().put("key", k).put("value", v));
    JsonNode info = c.call("POST", "runs/create", create).path("run").path("info");
    String runId = info.path("run_id").asText(info.path("run_uuid").asText());
    if (runId.isEmpty()) {
      throw new IllegalStateException("MLflow at " + c.shown + ": runs/create returned no run id");
    }
    try {
      List<Map.Entry<String, String>> entries = new ArrayList<>(p.entrySet());
      for (int i = 0; i < entries.size(); i += MAX_PARAMS_TAGS_PER_BATCH) {
        ObjectNode batch = JSON.createObjectNode().put("run_id", runId);
        ArrayNode a = batch.putArray("params");
        entries.subList(i, Math.min(entries.size(), i + MAX_PARAMS_TAGS_PER_BATCH))
            .forEach(e -> a.addObject().put("key", e.getKey()).put("value", e.getValue()));
        c.call("POST", "runs/log-batch", batch);
      }
      long now = System.currentTimeMillis();
      for (int i = 0; i < metrics.size(); i += MAX_METRICS_PER_BATCH) {
        ObjectNode batch = JSON.createObjectNode().put("run_id", runId);
        ArrayNode a = batch.putArray("metrics");
        metrics.subList(i, Math.min(metrics.size(), i + MAX_METRICS_PER_BATCH))
            .forEach(m -> a.add(m.deepCopy().put("timestamp", now).put("step", 0)));
        c.call("POST", "runs/log-batch", batch);
      }
      if (reportDir != null && Files.isDirectory(reportDir)) {
        c.uploadArtifacts(info.path("artifact_uri").asText(), reportDir);
      }
      c.call("POST", "runs/update", JSON.createObjectNode().put("run_id", runId).put("status", "FINISHED")
          .put("end_time", System.currentTimeMillis()));
    } catch (RuntimeException e) {
      try {
        c.call("POST", "runs/update", JSON.createObjectNode().put("run_id", runId).put("status", "FAILED")
            .put("end_time", System.currentTimeMillis()));
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return Optional.of(runId);
  }

  /**
   * Reduces one part of an MLflow key to {@code [A-Za-z0-9_.-]}: every other character becomes
   * {@code _}; null or empty becomes {@code _}.
   */
  public static String sanitize(String part) {
    if (part == null || part.isEmpty()) {
      return "_";
    }
    return BAD_CHARS.matcher(part).replaceAll("_");
  }

  /** The metric key {@code <measure>.<model>.<category>}, sanitized and cut to 250 characters. */
  public static String metricKey(String measure, String model, String category) {
    return cut(sanitize(measure) + "." + sanitize(model) + "." + sanitize(category), MAX_KEY);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static Map<String, String> params(Map<String, String> params, Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    Map<String, String> origin = new TreeMap<>();
    List<String> secrets = Stream.of("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD")
        .map(env::get).filter(v -> v != null && !v.isEmpty()).toList();
    for (Map.Entry<String, String> e : (params == null ? Map.<String, String>of() : params).entrySet()) {
      String name = e.getKey();
      if (SECRET_KEY.matcher(name).matches() && !name.toLowerCase(Locale.ROOT).endsWith("_env")) {
        throw new IllegalArgumentException("refusing to log param '" + name + "' to MLflow: its name looks like a secret");
      }
      String value = e.getValue() == null ? "" : e.getValue();
      if (secrets.stream().anyMatch(value::contains)) {
        throw new IllegalArgumentException("refusing to log param '" + name + "' to MLflow: its value holds a credential");
      }
      String key = cut(sanitize(name), MAX_KEY);
      String was = origin.put(key, name);
      if (was != null) {
        throw new IllegalArgumentException("params '" + was + "' and '" + name + "' both map to MLflow key '" + key + "'");
      }
      out.put(key, cut(value, MAX_PARAM_VALUE));
    }
    return out;
  }

  private static List<ObjectNode> metrics(List<SummaryRow> rows) {
    Map<String, String> origin = new LinkedHashMap<>();
    List<ObjectNode> out = new ArrayList<>();
    for (SummaryRow r : rows == null ? List.<SummaryRow>of() : rows) {
      Map<String, Number> m = new LinkedHashMap<>();
      m.put("accuracy", r.accuracy());
      m.put("ci_low", r.ciLow());
      m.put("ci_high", r.ciHigh());
      m.put("latency_p50_ms", r.latencyP50Ms());
      m.put("latency_p95_ms", r.latencyP95Ms());
      m.put("mean_tokens_in", r.meanTokensIn());
      m.put("mean_tokens_out", r.meanTokensOut());
      m.put("usd_per_1k_queries", r.usdPer1kQueries());
      m.put("n", r.n());
      m.put("scored", r.scored());
      m.put("correct", r.correct());
      for (Map.Entry<String, Number> e : m.entrySet()) {
        if (e.getValue() == null) {
          continue;
        }
        String key = metricKey(e.getKey(), r.model(), r.category());
        String was = origin.put(key, r.model() + "/" + r.category());
        if (was != null) {
          throw new IllegalArgumentException("summary rows " + was + " and " + r.model() + "/" + r.category()
              + " both map to MLflow metric key '" + key + "'");
        }
        ObjectNode n = JSON.createObjectNode().put("key", key);
        double v = e.getValue().doubleValue();
        if (Double.isFinite(v)) {
          n.put("value", v);
        } else {
          // protobuf JSON spelling of non-finite doubles, accepted by the server
          n.put("value", Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        }
        out.add(n);
      }
    }
    return out;
  }

  private static Map<String, String> tags(String runName, List<SummaryRow> rows) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("ais_distill.run_id", runName == null ? "" : runName);
    tags.put("mlflow.source.name", "ais-distill evaluate");
    for (SummaryRow r : rows == null ? List.<SummaryRow>of() : rows) {
      if (r.role() != null) {
        tags.put(cut("ais_distill.role." + sanitize(r.model()), MAX_KEY), r.role());
      }
      if (r.costBasis() != null) {
        tags.put(cut("ais_distill.cost_basis." + sanitize(r.model()), MAX_KEY), r.costBasis());
      }
    }
    return tags;
  }

  private static String auth(Map<String, String> env) {
    String token = env.get("MLFLOW_TRACKING_TOKEN");
    if (token != null && !token.isBlank()) {
      return "Bearer " + token.strip();
    }
    String user = env.get("MLFLOW_TRACKING_USERNAME");
    String password = env.get("MLFLOW_TRACKING_PASSWORD");
    if (user != null && !user.isEmpty() && password != null) {
      return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }

  /** The tracking URI as shown in messages: no user info, no query, no fragment. */
  static String redact(String uri) {
    try {
      URI u = new URI(uri);
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "<unparseable tracking URI>";
    }
  }

  private static String encodeSegments(String path) {
    StringBuilder b = new StringBuilder();
    for (String seg : path.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (b.length() > 0) {
        b.append('/');
      }
      b.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return b.toString();
  }

  /** HTTP calls against one tracking server. */
  private static final class Client {
    private final String base;
    private final String shown;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    Client(String trackingUri, String authorization) {
      this.shown = redact(trackingUri);
      URI u;
      try {
        u = new URI(trackingUri);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("MLflow tracking URI is not a URI: " + shown);
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
        throw new IllegalArgumentException("MLflow tracking URI must be http(s)://host[:port][/prefix], got " + shown);
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
      this.base = scheme + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + path;
      this.authorization = authorization;
    }

    /** Experiment id by name, created when missing; a deleted experiment is an error. */
    String experimentId(String name) {
      String q = "experiments/get-by-name?experiment_name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
      JsonNode got = callOrMissing("GET", q, null);
      if (got == null) {
        JsonNode created = callOrMissing("POST", "experiments/create", JSON.createObjectNode().put("name", name));
        if (created != null && created.hasNonNull("experiment_id")) {
          return created.get("experiment_id").asText();
        }
        got = call("GET", q, null); // created concurrently by someone else
      }
      JsonNode exp = got.path("experiment");
      if ("deleted".equals(exp.path("lifecycle_stage").asText())) {
        throw new IllegalStateException("MLflow at " + shown + ": experiment '" + name
            + "' is deleted; restore it or choose another name");
      }
      return exp.path("experiment_id").asText();
    }

    JsonNode call(String method, String endpoint, JsonNode body) {
      return send(method, endpoint, body, false);
    }

    /** As call, but null for RESOURCE_DOES_NOT_EXIST / RESOURCE_ALREADY_EXISTS answers. */
    JsonNode callOrMissing(String method, String endpoint, JsonNode body) {
      return send(method, endpoint, body, true);
    }

    private JsonNode send(String method, String endpoint, JsonNode body, boolean missingIsNull) {
      HttpRequest.Builder b = request(base + "/api/2.0/mlflow/" + endpoint);
      if (body == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
      }
      String name = endpoint.replaceAll("\\?.*", "");
      HttpResponse<String> resp = exchange(b.build(), name, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (resp.statusCode() / 100 != 2) {
        String code = errorCode(resp.body());
        if (missingIsNull && (code.equals("RESOURCE_DOES_NOT_EXIST") || code.equals("RESOURCE_ALREADY_EXISTS"))) {
          return null;
        }
        throw failure(name, resp.statusCode(), code, resp.body());
      }
      try {
        return resp.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(resp.body());
      } catch (IOException e) {
        throw new IllegalStateException("MLflow at " + shown + ": " + name + " returned HTTP "
            + resp.statusCode() + " with a body that is not JSON", e);
      }
    }

    /**
     * Uploads every regular file under {@code dir} to {@code <artifact root>/report/<relative path>}
     * through the server's artifact proxy. Only {@code mlflow-artifacts:} roots are served over HTTP;
     * for any other root (the server runs with {@code --no-serve-artifacts}, or the experiment has
     * its own artifact location) the files are not uploaded and a warning is printed.
     */
    void uploadArtifacts(String artifactUri, Path dir) {
      if (!artifactUri.startsWith("mlflow-artifacts:")) {
        String scheme = artifactUri.contains(":") ? artifactUri.substring(0, artifactUri.indexOf(':')) : "local path";
        LOG.warn("MLflow at {}: run artifact store is {}, not the server's artifact proxy (mlflow-artifacts:); "
            + "report files not uploaded", shown, scheme);
        return;
      }
      // mlflow-artifacts:/<path> or mlflow-artifacts://host:port/<path>; the path is resolved on our server
      String root = URI.create(artifactUri).getPath();
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      } catch (IOException e) {
        throw new IllegalStateException("cannot list report directory " + dir, e);
      }
      for (Path f : files) {
        String rel = dir.relativize(f).toString().replace('\\', '/');
        String url = base + "/api/2.0/mlflow-artifacts/artifacts/" + encodeSegments(root + "/" + ARTIFACT_DIR + "/" + rel);
        HttpRequest req;
        try {
          req = request(url).header("Content-Type", contentType(rel)).PUT(HttpRequest.BodyPublishers.ofFile(f)).build();
        } catch (IOException e) {
          throw new IllegalStateException("cannot read report file " + f, e);
        }
        HttpResponse<String> resp = exchange(req, "mlflow-artifacts upload of " + rel,
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (resp.statusCode() / 100 != 2) {
          throw failure("mlflow-artifacts upload of " + rel, resp.statusCode(), errorCode(resp.body()), resp.body());
        }
      }
    }

    private HttpRequest.Builder request(String url) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      return b;
    }

    private <T> HttpResponse<T> exchange(HttpRequest req, String name, HttpResponse.BodyHandler<T> handler) {
      try {
        return http.send(req, handler);
      } catch (IOException e) {
        throw new IllegalStateException("MLflow at " + shown + ": " + name + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("MLflow at " + shown + ": " + name + " interrupted", e);
      }
    }

    private IllegalStateException failure(String name, int status, String code, String body) {
      String msg = "";
      try {
        msg = JSON.readTree(body).path("message").asText("");
      } catch (IOException | RuntimeException e) {
        // not a JSON error body (e.g. a proxy's HTML page or the auth plugin's plain text)
      }
      if (msg.isEmpty()) {
        msg = body == null ? "" : body.strip();
      }
      msg = msg.length() > 300 ? msg.substring(0, 300) + "..." : msg;
      return new IllegalStateException("MLflow at " + shown + ": " + name + " failed with HTTP " + status
          + (code.isEmpty() ? "" : " " + code) + (msg.isEmpty() ? "" : ": " + msg));
    }
  }

  private static String errorCode(String body) {
    try {
      return JSON.readTree(body).path("error_code").asText("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String contentType(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".md")) {
      return "text/markdown; charset=utf-8";
    } else if (n.endsWith(".json")) {
      return "application/json";
    } else if (n.endsWith(".png")) {
      return "image/png";
    } else if (n.endsWith(".txt") || n.endsWith(".csv")) {
      return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
  }
}
