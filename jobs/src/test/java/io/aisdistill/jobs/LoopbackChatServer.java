package io.aisdistill.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aisdistill.common.text.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fault-injecting OpenAI-compatible {@code /v1/chat/completions} server on 127.0.0.1 (JDK
 * HttpServer), for what a real server will not do on demand: 429 with Retry-After, 500/503,
 * answers slower than the client's timeout, dropped connections, invalid JSON bodies. Faults are
 * scripted as a queue consumed one per request; with no fault queued it answers 200 with the
 * content from {@code responder} (request JSON -> assistant text) after {@code latencyMs}.
 * Counts requests per call_id (SHA-256 of the body) and remembers the Authorization headers.
 *
 * <p>Published to other modules in the jobs test-jar (bench's {@code FanoutBench} extends it with
 * a rate limit): subclasses may refuse a request before the scripted faults ({@link #admit}), draw
 * the answer latency ({@link #nextLatencyMs}) and count the usage tokens ({@link #putUsage}).
 */
public class LoopbackChatServer implements AutoCloseable {
  /** A scripted fault. */
  public enum Fault { RATE_LIMIT, ERROR_500, ERROR_503, SLOW, DROP, INVALID_JSON, BAD_REQUEST }

  /** Shared JSON mapper. */
  public static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  final Map<String, AtomicInteger> perCall = new ConcurrentHashMap<>();
  /** Per call_id (SHA-256 of the request body): how many times it was answered 200. */
  public final Map<String, AtomicInteger> okPerCall = new ConcurrentHashMap<>();
  /** Requests received, whatever their answer. */
  public final AtomicInteger requests = new AtomicInteger();
  final ConcurrentLinkedQueue<String> authHeaders = new ConcurrentLinkedQueue<>();
  volatile long latencyMs;
  volatile long slowMs = 3000;
  volatile Function<JsonNode, String> responder;

  LoopbackChatServer(Function<JsonNode, String> responder, long latencyMs) throws IOException {
    this(responder, latencyMs, 200);
  }

  /**
   * Starts the server on an ephemeral port of 127.0.0.1.
   *
   * @param responder request JSON to the assistant message content of a 200 answer
   * @param latencyMs milliseconds every 200 answer waits (see {@link #nextLatencyMs})
   * @param backlog TCP accept backlog
   * @throws IOException when the socket cannot be bound
   */
  public LoopbackChatServer(Function<JsonNode, String> responder, long latencyMs, int backlog) throws IOException {
    this.responder = responder;
    this.latencyMs = latencyMs;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), backlog);
    server.createContext("/v1/chat/completions", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** Base URL for a teacher file ({@code http://127.0.0.1:PORT/v1}). */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Requests whose body was sent more than once. */
  long duplicates() {
    return perCall.values().stream().filter(c -> c.get() > 1).count();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String id = Sha256.hex(body);
    requests.incrementAndGet();
    perCall.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      authHeaders.add(auth);
    }
    if (!admit(ex, body)) {
      return;
    }
    Fault f = faults.poll();
    try {
      if (f != null) {
        switch (f) {
          case RATE_LIMIT -> {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}");
            return;
          }
          case ERROR_500 -> {
            send(ex, 500, "{\"error\":{\"message\":\"internal\"}}");
            return;
          }
          case ERROR_503 -> {
            send(ex, 503, "upstream unavailable");
            return;
          }
          case BAD_REQUEST -> {
            send(ex, 400, "{\"error\":{\"message\":\"bad request\"}}");
            return;
          }
          case SLOW -> Thread.sleep(slowMs);
          case DROP -> {
            ex.getHttpContext().getServer();
            ex.close();   // closes the connection without a response
            return;
          }
          case INVALID_JSON -> {
            send(ex, 200, "{\"id\": \"x\", \"choices\": [ {\"message\": ");
            return;
          }
        }
      }
      long latency = nextLatencyMs();
      if (latency > 0) {
        Thread.sleep(latency);
      }
      JsonNode req = JSON.readTree(body);
      String content = responder.apply(req);
      ObjectNode resp = JSON.createObjectNode();
      resp.put("id", "chatcmpl-" + id.substring(0, 12)).put("object", "chat.completion")
          .put("model", req.path("model").asText());
      ObjectNode msg = resp.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
          .putObject("message");
      msg.put("role", "assistant").put("content", content);
      putUsage(resp.putObject("usage"), body, req, content);
      okPerCall.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      send(ex, 200, JSON.writeValueAsString(resp));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // client went away (timeout)
    }
  }

  /**
   * Whether a request goes on to the scripted faults and the answer; called once per request after
   * it is counted. The default admits all. An override that refuses must send the answer itself
   * (e.g. with {@link #send}) and return false.
   *
   * @param body the request body (UTF-8 text)
   * @throws IOException when sending a refusal fails
   */
  protected boolean admit(HttpExchange ex, String body) throws IOException {
    return true;
  }

  /** Milliseconds to wait before a 200 answer; the default is the configured latency. */
  protected long nextLatencyMs() {
    return latencyMs;
  }

  /**
   * Fills the {@code usage} object of a 200 answer. The default estimates 4 characters per token:
   * {@code prompt_tokens} from the request body, {@code completion_tokens} from the content, and
   * their {@code total_tokens}.
   *
   * @param body the request body
   * @param req the request body as JSON
   * @param content the assistant message content
   */
  protected void putUsage(ObjectNode usage, String body, JsonNode req, String content) {
    usage.put("prompt_tokens", body.length() / 4).put("completion_tokens", content.length() / 4)
        .put("total_tokens", body.length() / 4 + content.length() / 4);
  }

  /**
   * Sends a JSON answer and closes the exchange.
   *
   * @param status HTTP status
   * @param body response body (UTF-8)
   * @throws IOException when the client went away
   */
  protected static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  /**
   * A deterministic teacher: per window three pairs read off the prompt (window-v2: the vessel
   * line, the track table and the computed facts for the teacher): an identity pair with an
   * unregistered fact key (rejected as UNKNOWN_FACT), the mean SOG as the computed facts state it
   * (grounded), and the distance claimed as 999.0 nautical miles (a hallucinated number). The
   * reasonings cite no number, so the trace check passes them. Judge requests get scores 5/5/4.
   */
  static String teacherReply(JsonNode req) {
    String user = req.path("messages").path(1).path("content").asText();
    if (req.path("messages").path(0).path("content").asText().contains("strict reviewer")) {
      return "{\"faithfulness\": 5, \"answerability\": 5, \"format\": 4, \"justification\": \"Matches the facts.\"}";
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Vessel: MMSI (\\d+)").matcher(user);
    String mmsi = m.find() ? m.group(1) : "unknown";
    String sog = fact(user, "sog_mean_kn");
    return "{\"pairs\": [{\"category\": \"identity\", \"question\": \"Which vessel is this window about?\", "
        + "\"answer\": \"The vessel with MMSI " + mmsi + ".\", \"reasoning\": \"The vessel line names it.\", "
        + "\"fact_key\": \"vessel_mmsi\", \"value\": \"" + mmsi + "\", \"unit\": null}, "
        + "{\"category\": \"kinematics\", \"question\": \"What was the mean speed over ground in this window?\", "
        + "\"answer\": \"The mean speed over ground was " + sog + ".\", \"reasoning\": \"The mean of the SOG column.\", "
        + "\"fact_key\": \"sog_mean_kn\", \"value\": \"" + sog + "\", \"unit\": \"knots\"}, "
        + "{\"category\": \"route\", \"question\": \"How far did the vessel travel along its track?\", "
        + "\"answer\": \"It travelled 999.0 nautical miles.\", \"reasoning\": \"Summed the legs.\", "
        + "\"fact_key\": \"distance_nm\", \"value\": \"999.0\", \"unit\": \"nautical miles\"}]}";
  }

  /**
   * The value text of fact {@code key} in a window prompt ("- key (description): value"), or
   * "not available" when the prompt has no such fact.
   */
  public static String fact(String prompt, String key) {
    int i = prompt.indexOf("- " + key + " (");
    if (i < 0) {
      return "not available";
    }
    int c = prompt.indexOf("): ", i);
    return prompt.substring(c + 3, prompt.indexOf('\n', c)).strip();
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
  }
}
