package io.aisdistill.common.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Picking models by share; reading rate-limit reset durations. */
class LlmTransportTest {
  @Test
  void picksModelsByShare() {
    ModelSpec a = new ModelSpec();
    a.name = "a";
    a.share = 0.75;
    ModelSpec b = new ModelSpec();
    b.name = "b";
    b.share = 0.25;
    int n = 0;
    for (int i = 0; i < 4000; i++) {
      n += TeacherConfig.pickByShare(List.of(a, b), "w" + i) == a ? 1 : 0;
      assertEquals(TeacherConfig.pickByShare(List.of(a, b), "w" + i), TeacherConfig.pickByShare(List.of(a, b), "w" + i));
    }
    assertTrue(Math.abs(n / 4000.0 - 0.75) < 0.03, "share of a: " + n / 4000.0);
  }

  @Test
  void readsResetDurations() {
    assertEquals(Duration.ofMillis(1000), LlmClient.parseDuration("1s"));
    assertEquals(Duration.ofMillis(360_000), LlmClient.parseDuration("6m0s"));
    assertEquals(Duration.ofMillis(20), LlmClient.parseDuration("20ms"));
    assertEquals(Duration.ofMillis(2500), LlmClient.parseDuration("2.5"));
    assertNull(LlmClient.parseDuration("soon"));
  }
}
