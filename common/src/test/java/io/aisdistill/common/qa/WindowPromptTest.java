package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.track.TrackWindow;
import org.junit.jupiter.api.Test;

class WindowPromptTest {
  @Test
  void deterministicAndVersioned() {
    WindowPrompt.Prompt a = WindowPrompt.build(TestWindows.cargoUnderway());
    WindowPrompt.Prompt b = WindowPrompt.build(TestWindows.cargoUnderway());
    assertEquals(a, b);
    assertEquals(a.sha256(), b.sha256());
    assertEquals(64, a.sha256().length());
    assertNotEquals(a.sha256(), WindowPrompt.build(TestWindows.fishingLoitering()).sha256());
    assertEquals("window-v1", WindowPrompt.VERSION);
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", WindowPrompt.sha256(""));
  }

  @Test
  void mentionsEveryFactWithItsUnit() {
    for (TrackWindow w : TestWindows.all()) {
      String user = WindowPrompt.build(w).user();
      for (WindowFacts.Fact f : WindowFacts.all().values()) {
        String line = "- " + f.key() + " (" + f.description() + "): " + f.format(f.value(w));
        assertTrue(user.contains(line), line);
      }
    }
    String user = WindowPrompt.build(TestWindows.cargoUnderway()).user();
    assertTrue(user.contains("sog_mean_kn (mean reported speed over ground): 14.6 knots"));
    assertTrue(user.contains("distance_nm (distance travelled along the track): 23.2 nautical miles"));
    assertTrue(user.contains("duration_min (time from first to last report): 1 hour 35 minutes"));
    assertTrue(user.contains("bearing_deg (bearing from first to last position (degrees true)): 47 degrees"));
    assertTrue(user.contains("2024-06-01T08:00:00Z to 2024-06-01T09:35:00Z (UTC)"));
    assertTrue(user.contains("time_utc | lat | lon | sog_knots | cog_degrees | heading_degrees | nav_status"));
    assertTrue(user.contains("2024-06-01T08:00:00Z | 56.10000 | 11.60000 | 14.6 | 47.0 | 45 | 0 under way using engine"));
    String noSog = WindowPrompt.build(TestWindows.classBNoSog()).user();
    assertTrue(noSog.contains("sog_mean_kn (mean reported speed over ground): not available"));
    assertTrue(noSog.contains(" | - | 315.0 | - | -"));
  }

  @Test
  void systemMessageSchemaAndStudentPrompt() {
    String sys = WindowPrompt.systemMessage();
    for (String k : new String[] {"category", "question", "answer", "reasoning", "fact_key", "value", "unit"}) {
      assertTrue(sys.contains("\"" + k + "\""), k);
    }
    TrackWindow w = TestWindows.mooredFerry();
    String s = WindowPrompt.studentPrompt(w, "Is the ferry moored?");
    assertTrue(s.startsWith(WindowPrompt.context(w)));
    assertTrue(s.endsWith("Question: Is the ferry moored?\nAnswer:"));
  }
}
