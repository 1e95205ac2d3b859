package io.aisdistill.common.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A run resumed from the {@link VesselState}s of an earlier run over the reports up to time T
 * gives, after upserting its windows by id over the earlier run's, exactly the windows of one
 * pass over all reports: for every cut T, on tracks with gaps, jumps, a second transmitter on
 * one MMSI, and changing static data.
 */
class SegmenterResumeTest {
  static final long T0 = 1_717_200_000_000L; // 2024-06-01T00:00:00Z
  static final WindowConfig CFG = WindowConfig.defaults();

  /** Reports of a few vessels over two days, sorted by (MMSI, time) as the stage sorts them. */
  static List<PositionReport> traffic(long seed) {
    Random r = new Random(seed);
    List<PositionReport> out = new ArrayList<>();
    for (int v = 0; v < 6; v++) {
      long mmsi = 219_000_000L + v;
      double lat = 55 + r.nextDouble();
      double lon = 10 + r.nextDouble();
      double kn = v == 0 ? 0.1 : 4 + r.nextDouble() * 12;
      long t = T0 + r.nextInt(3_600_000);
      String name = "V" + v;
      while (t < T0 + 48 * 3_600_000L) {
        if (r.nextDouble() < 0.01) {
          t += (1 + r.nextInt(3)) * 3_600_000L; // AIS gap
        }
        long dt = 10_000L + r.nextInt(400_000);
        t += dt;
        lat += kn * dt / 3_600_000.0 / 60.0;
        double plat = lat;
        double plon = lon;
        if (r.nextDouble() < 0.005) {
          plat += 2; // position jump
        }
        if (r.nextDouble() < 0.02) {
          name = "V" + v + "-" + r.nextInt(100); // static data changes
        }
        out.add(new PositionReport(mmsi, t, plat, plon, kn, 0.0, null, 0, 1, "A", name, null, null, 70,
            100.0, 20.0, null, "test", 0, null));
        if (v == 1 && r.nextDouble() < 0.3) {
          // a second transmitter on the same MMSI, far away
          out.add(new PositionReport(mmsi, t + 1, 40.0, -20.0, 10.0, 0.0, null, 0, 1, "B", null, null, null,
              null, null, null, null, "test", 0, null));
        }
      }
    }
    out.sort(Comparator.comparingLong(PositionReport::mmsi).thenComparingLong(PositionReport::tsMillis));
    return out;
  }

  static Map<String, TrackWindow> byId(List<TrackWindow> ws) {
    Map<String, TrackWindow> m = new LinkedHashMap<>();
    for (TrackWindow w : ws) {
      assertTrue(m.put(w.windowId(), w) == null, "one window per id: " + w.windowId());
    }
    return m;
  }

  @Test
  void resumedRunEqualsOnePassAtEveryCut() {
    List<PositionReport> all = traffic(7);
    List<TrackWindow> full = new ArrayList<>();
    Segmenter one = new Segmenter(CFG, m -> "DK", full::add);
    all.forEach(one::accept);
    one.finish();
    Map<String, TrackWindow> expected = byId(full);
    assertTrue(expected.size() > 200, "enough windows to mean something: " + expected.size());

    int cuts = 0;
    for (long cut = T0; cut < T0 + 50 * 3_600_000L; cut += 71 * 60_000L) {
      long c = cut;
      List<TrackWindow> first = new ArrayList<>();
      Map<Long, VesselState> states = new HashMap<>();
      Segmenter a = new Segmenter(CFG, m -> "DK", first::add, st -> states.put(st.mmsi(), st));
      all.stream().filter(p -> p.tsMillis() <= c).forEach(a::accept);
      a.finish();

      // the second run: each vessel with new reports resumes from its state (JSON round trip)
      List<TrackWindow> second = new ArrayList<>();
      Segmenter b = new Segmenter(CFG, m -> "DK", second::add);
      long current = Long.MIN_VALUE;
      for (PositionReport p : all) {
        if (p.tsMillis() <= c) {
          continue;
        }
        if (p.mmsi() != current) {
          current = p.mmsi();
          VesselState st = states.get(current);
          if (st != null) {
            b.resume(VesselState.fromJson(st.toJson()));
          }
        }
        b.accept(p);
      }
      b.finish();

      Map<String, TrackWindow> merged = byId(first);
      merged.putAll(byId(second));
      assertEquals(expected.keySet(), merged.keySet(), "window ids, cut at +" + (c - T0) / 60_000 + " min");
      for (TrackWindow w : expected.values()) {
        assertEquals(w, merged.get(w.windowId()), "window " + w.windowId() + ", cut at +" + (c - T0) / 60_000 + " min");
      }
      cuts++;
    }
    assertEquals(43, cuts);
  }

  @Test
  void stateSurvivesJsonExactly() {
    List<VesselState> states = new ArrayList<>();
    Segmenter s = new Segmenter(CFG, m -> null, w -> { }, states::add);
    traffic(3).forEach(s::accept);
    s.finish();
    assertEquals(6, states.size());
    for (VesselState st : states) {
      VesselState back = VesselState.fromJson(st.toJson());
      assertEquals(st.toJson(), back.toJson());
      assertEquals(st.tracks().get(0).points(), back.tracks().get(0).points());
    }
    assertThrows(IllegalArgumentException.class, () -> VesselState.fromJson("{\"mmsi\": \"x\"}"));
  }

  @Test
  void resumeRefusesAnEarlierVessel() {
    Segmenter s = new Segmenter(CFG, m -> null, w -> { });
    s.accept(traffic(3).get(0));
    VesselState earlier = new VesselState(1L, T0, List.of());
    assertThrows(IllegalArgumentException.class, () -> s.resume(earlier));
  }
}
