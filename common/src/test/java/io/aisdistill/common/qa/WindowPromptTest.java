package io.aisdistill.common.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.text.Sha256;
import io.aisdistill.common.track.TrackPoint;
import io.aisdistill.common.track.TrackWindow;
import java.util.List;
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
    assertEquals("window-v2", WindowPrompt.VERSION);
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(""));
  }

  @Test
  void theStudentSeesTheIdentityLineAndTheTrackTable() {
    TrackWindow w = TestWindows.cargoUnderway();
    String s = WindowPrompt.studentContext(w);
    List<String> lines = s.lines().toList();
    assertEquals("Vessel: MMSI 636019825; name MAERSK KOBE; IMO 9235658; call sign A8BZ4; AIS ship type code 71; "
        + "length 294 metres; beam 32 metres; draught 12.1 metres; AIS class A", lines.get(0));
    assertEquals("Track (UTC, 2024-06-01; selected reports, simplified with TD-TR; '-' = not available; "
        + "SOG 102.2 = 102.2 knots or more):", lines.get(1));
    assertEquals("time | lat | lon | sog_kn | cog_deg | heading_deg | nav", lines.get(2));
    assertEquals("08:00:00 | 56.10000 | 11.60000 | 14.6 | 47 | 45 | 0", lines.get(3));
    assertEquals(3 + w.track().size(), lines.size() - 1); // one line per observed row, then the legend
    assertEquals("Nav status codes: 0 = under way using engine", lines.get(lines.size() - 1));
    assertTrue(s.contains("09:35:00 | 56.31299 | 12.15241 | 14.4 | 79 | 77 | 0\n"), s);
    // observations only: no computed fact, no flag (the student derives it from the MMSI)
    assertFalse(s.contains("Computed facts"));
    assertFalse(s.contains("Liberia"));
    for (WindowFacts.Fact f : WindowFacts.all().values()) {
      assertFalse(s.contains(f.key()), f.key());
    }
  }

  @Test
  void missingValuesLaterDatesAndOnlyTheCodesPresent() {
    String noSog = WindowPrompt.studentContext(TestWindows.classBNoSog());
    assertTrue(noSog.startsWith("Vessel: MMSI 366998877; name SEA DREAM; AIS class B\n"), noSog); // code 0 not shown
    assertTrue(noSog.contains("08:00:00 | 40.60000 | -73.90000 | - | 315 | - | -\n"), noSog);
    assertFalse(noSog.contains("Nav status codes"));
    String tug = WindowPrompt.studentContext(TestWindows.teleportTug());
    assertTrue(tug.contains("Nav status codes: 0 = under way using engine, 3 = restricted manoeuvrability\n"), tug);
    // a window across midnight: rows of the next day carry their date
    long t = 1_717_286_100_000L; // 2024-06-01T23:55:00Z
    TrackWindow night = TestWindows.rows(new TrackPoint(t, 55.0, 11.0, 102.2, 359.6, 0, null),
        new TrackPoint(t + 600_000L, 55.01, 11.0, 9.96, 0.4, 1, null));
    String n = WindowPrompt.studentContext(night);
    assertTrue(n.contains("Track (UTC, 2024-06-01;"), n);
    assertTrue(n.contains("\n23:55:00 | 55.00000 | 11.00000 | 102.2 | 0 | 0 | -\n"), n);
    assertTrue(n.contains("\n2024-06-02 00:05:00 | 55.01000 | 11.00000 | 10.0 | 0 | 1 | -\n"), n);
  }

  @Test
  void theTeacherPromptAddsEveryFactWithItsUnit() {
    for (TrackWindow w : TestWindows.all()) {
      String user = WindowPrompt.build(w).user();
      assertTrue(user.startsWith(WindowPrompt.studentContext(w)));
      for (WindowFacts.Fact f : WindowFacts.all().values()) {
        String line = "- " + f.key() + " (" + f.description() + "): " + f.format(f.value(w));
        assertTrue(user.contains(line), line);
      }
      assertTrue(user.contains("Behaviour rule: " + WindowFacts.BEHAVIOUR_RULE));
    }
    String user = WindowPrompt.build(TestWindows.cargoUnderway()).user();
    assertTrue(user.contains("sog_mean_kn (mean SOG of the rows): 14.6 knots"), user);
    assertTrue(user.contains("distance_nm (distance along the rows (legs summed)): 23.1 nautical miles"), user);
    assertTrue(user.contains("duration_min (time from the first to the last row): 1 hour 35 minutes"), user);
    assertTrue(user.contains("sog_max_time (time of the first row with the highest SOG): 08:35:00 UTC"), user);
    String noSog = WindowPrompt.build(TestWindows.classBNoSog()).user();
    assertTrue(noSog.contains("sog_mean_kn (mean SOG of the rows): not available"));
  }

  @Test
  void systemMessageSchemaAndStudentPrompt() {
    String sys = WindowPrompt.systemMessage();
    for (String k : new String[] {"category", "question", "answer", "reasoning", "fact_key", "value", "unit"}) {
      assertTrue(sys.contains("\"" + k + "\""), k);
    }
    for (Category c : Category.values()) {
      assertTrue(sys.contains(c.label()), c.label());
    }
    TrackWindow w = TestWindows.mooredFerry();
    String s = WindowPrompt.studentPrompt(w, "Is the ferry moored?");
    assertEquals(WindowPrompt.studentContext(w) + "Question: Is the ferry moored?", s);
    assertFalse(s.contains("Answer:")); // the chat template starts the assistant turn
    assertFalse(s.contains("Computed facts"));
  }
}
