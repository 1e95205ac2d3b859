package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.llm.AimdLimiter;
import io.aisdistill.common.llm.CallResult;
import io.aisdistill.common.llm.ChatCall;
import io.aisdistill.common.llm.LlmClient;
import io.aisdistill.common.llm.ModelSpec;
import io.aisdistill.common.llm.RateBudget;
import io.aisdistill.common.llm.Tokens;
import io.aisdistill.common.teacher.TeacherReplies;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LLM client against the fault-injecting loopback server: 429 + Retry-After, 500/503,
 * timeouts, dropped connections are retried; invalid JSON bodies and other 4xx fail at once; the
 * key goes only into the Authorization header; request bodies and ids are canonical.
 */
class LlmClientFaultTest {
  static final String KEY_ENV = "AIS_DISTILL_TEST_API_KEY";
  LoopbackChatServer server;

  @BeforeEach
  void start() throws Exception {
    server = new LoopbackChatServer(r -> "{\"pairs\": []}", 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static ModelSpec spec(String baseUrl) {
    ModelSpec m = new ModelSpec();
    m.name = "loop";
    m.model = "loop-model";
    m.baseUrl = baseUrl;
    m.apiKeyEnv = KEY_ENV;
    m.timeoutS = 1.0;
    m.maxAttempts = 4;
    m.backoffInitialMs = 50;
    m.backoffMaxMs = 200;
    m.priceInPerMtok = 2.5;
    m.priceOutPerMtok = 10;
    return m;
  }

  static Tokens tokens() {
    return Tokens.forPath(LlmFixture.tokenizer());
  }

  private CallResult call(ModelSpec m, String user) {
    LlmClient c = new LlmClient(m, new RateBudget(0, 0), new AimdLimiter(4, 100), tokens());
    return c.call(ChatCall.of(m, "system text", user, "qa_pairs", TeacherReplies.SCHEMA));
  }

  @Test
  void retriesRateLimitsHonouringRetryAfter() {
    server.faults.add(LoopbackChatServer.Fault.RATE_LIMIT);
    long t0 = System.currentTimeMillis();
    CallResult r = call(spec(server.baseUrl()), "u1");
    assertEquals(CallResult.OK, r.status());
    assertEquals(2, r.attempts());
    assertEquals(1, r.rateLimited());
    assertTrue(System.currentTimeMillis() - t0 >= 950, "waited for Retry-After: 1");
    assertTrue(r.usageFromServer());
    assertEquals(r.tokensIn() * 2.5e-6 + r.tokensOut() * 1e-5, r.costUsd(), 1e-12);
    assertEquals(List.of("Bearer sk-planted-3f9c2e7a1b", "Bearer sk-planted-3f9c2e7a1b"),
        List.copyOf(server.authHeaders));
  }

  @Test
  void retriesServerErrorsTimeoutsAndResets() {
    server.faults.addAll(List.of(LoopbackChatServer.Fault.ERROR_500, LoopbackChatServer.Fault.ERROR_503,
        LoopbackChatServer.Fault.SLOW));
    CallResult r = call(spec(server.baseUrl()), "u2");
    assertEquals(CallResult.OK, r.status(), String.valueOf(r.error()));
    assertEquals(4, r.attempts());
    server.faults.add(LoopbackChatServer.Fault.DROP);
    CallResult d = call(spec(server.baseUrl()), "u3");
    assertEquals(CallResult.OK, d.status(), String.valueOf(d.error()));
    assertEquals(2, d.attempts());
  }

  @Test
  void exhaustedRetriesAndClientErrorsFail() {
    ModelSpec m = spec(server.baseUrl());
    m.maxAttempts = 2;
    server.faults.addAll(List.of(LoopbackChatServer.Fault.ERROR_500, LoopbackChatServer.Fault.ERROR_500));
    CallResult r = call(m, "u4");
    assertEquals(CallResult.FAILED, r.status());
    assertEquals(2, r.attempts());
    assertEquals(500, r.httpStatus());
    assertTrue(r.error().startsWith("RETRIES_EXHAUSTED"));

    server.faults.add(LoopbackChatServer.Fault.BAD_REQUEST);
    CallResult b = call(m, "u5");
    assertEquals(CallResult.FAILED, b.status());
    assertEquals(1, b.attempts(), "4xx other than 429 is not retried");
    assertEquals(400, b.httpStatus());

    server.faults.add(LoopbackChatServer.Fault.INVALID_JSON);
    CallResult j = call(m, "u6");
    assertEquals(CallResult.FAILED, j.status());
    assertEquals(1, j.attempts());
    assertEquals("INVALID_RESPONSE_BODY", j.error());
    assertNotNull(j.responseBody(), "the raw body is kept");
  }

  @Test
  void requestShapesAndIds() throws Exception {
    ModelSpec m = spec(server.baseUrl());
    ChatCall a = ChatCall.of(m, "s", "u", "qa_pairs", TeacherReplies.SCHEMA);
    ChatCall b = ChatCall.of(m, "s", "u", "qa_pairs", TeacherReplies.SCHEMA);
    assertEquals(a.callId(), b.callId());
    assertEquals(a.callId(), ChatCall.fromBody(a.body()).callId());
    var body = ChatCall.JSON.readTree(a.body());
    assertEquals("json_schema", body.path("response_format").path("type").asText());
    assertTrue(body.has("temperature") && body.has("max_tokens"));
    m.reasoningEffort = "medium";
    var o3 = ChatCall.JSON.readTree(ChatCall.of(m, "s", "u", "qa_pairs", TeacherReplies.SCHEMA).body());
    assertFalse(o3.has("temperature"));
    assertFalse(o3.has("max_tokens"));
    assertEquals(m.maxTokens, o3.path("max_completion_tokens").asInt());
    assertEquals("medium", o3.path("reasoning_effort").asText());
    assertFalse(a.body().contains("sk-planted"));
    assertNull(System.getenv("AIS_DISTILL_NO_SUCH_KEY"));
  }

  @Test
  void aimdHalvesOnRateLimitAndGrowsBack() throws Exception {
    AimdLimiter l = new AimdLimiter(8, 0);
    l.acquire();
    l.release(true);
    assertEquals(4, l.limit());
    for (int i = 0; i < 40; i++) {
      l.acquire();
      l.release(false);
    }
    assertEquals(8, l.limit());
  }

  @Test
  void readsTeacherFiles() {
    var tc = io.aisdistill.common.llm.TeacherConfig.load(SparkTestSession.repo().resolve("conf/teachers-local.yaml"));
    assertFalse(tc.byRole(ModelSpec.Role.GENERATE).isEmpty());
    var ex = io.aisdistill.common.llm.TeacherConfig.load(SparkTestSession.repo().resolve("conf/teachers-example.yaml"));
    assertTrue(ex.models.size() >= 3);
    assertTrue(tc.model("grounded").grounded() && ex.model("grounded").grounded(), "both files show a teacher mix");
    assertTrue(Path.of(tc.tokenizer).isAbsolute());
  }
}
