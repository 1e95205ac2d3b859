package io.aisdistill.common.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.aisdistill.common.select.WindowStrata.Behaviour;
import io.aisdistill.common.track.TrackWindow;
import io.aisdistill.common.track.VesselInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowStrataTest {
  static final long T0 = 1_717_252_800_000L; // 2024-06-01T14:40:00Z

  /** A one-hour window of 60 reports with the given features (others neutral). */
  static TrackWindow w(double distNm, double dispNm, Double sogMean, double maxLeg, Double stationary, int sogMissing,
      int hcDisagreements, Integer shipType) {
    VesselInfo v = new VesselInfo(219000001L, null, null, null, shipType, null, null, null, "A", "Denmark");
    return new TrackWindow("w", 219000001L, "s", 0, T0, T0 + 3_600_000L, 60, distNm, dispNm, null, sogMean, null,
        null, null, maxLeg, 0, 0, 0, stationary, 60, 60, List.of(), null, 55.6, 55.7, 12.5, 12.7, 57.64911,
        10.40744, 55.7, 12.7, sogMissing, 0, 0, null, hcDisagreements, v, List.of(), "2024-06-01");
  }

  @Test
  void behaviourRulesInOrder() {
    assertEquals(Behaviour.UNDERWAY, WindowStrata.behaviour(w(12, 11.5, 12.0, 13, 0.0, 0, 0, 70)));
    assertEquals(Behaviour.MANOEUVRING, WindowStrata.behaviour(w(3, 0.5, 3.0, 4, 0.0, 0, 0, 70)), "loops back");
    assertEquals(Behaviour.MANOEUVRING, WindowStrata.behaviour(w(2, 2, 2.0, 3, 0.1, 0, 0, 70)), "slow");
    assertEquals(Behaviour.STOPPED, WindowStrata.behaviour(w(0.05, 0.01, 0.1, 0.3, 0.2, 0, 0, 70)), "< 0.1 nm");
    assertEquals(Behaviour.STOPPED, WindowStrata.behaviour(w(1, 1, 1.0, 4, 0.5, 0, 0, 70)), "half stationary");
    assertEquals(Behaviour.ANOMALOUS, WindowStrata.behaviour(w(12, 11.5, 12.0, 80, 0.0, 0, 0, 70)), "jump");
    assertEquals(Behaviour.ANOMALOUS, WindowStrata.behaviour(w(12, 11.5, 12.0, 13, 0.0, 0, 2, 70)), "heading");
    assertEquals(Behaviour.UNDERWAY, WindowStrata.behaviour(w(12, 11.5, 12.0, 13, 0.0, 0, 1, 70)), "one disagreement");
    assertEquals(Behaviour.ANOMALOUS, WindowStrata.behaviour(w(0.01, 0, null, 1, null, 31, 0, 70)), "SOG missing");
    assertEquals(Behaviour.STOPPED, WindowStrata.behaviour(w(0.01, 0, 0.0, 1, 1.0, 30, 0, 70)), "half missing");
  }

  @Test
  void stratumJoinsBehaviourGroupRegionAndHour() {
    // geohash of 57.64911 N, 10.40744 E is u4pruydqqvj (Wikipedia's example)
    assertEquals("underway|cargo|u4p|h12", WindowStrata.stratum(w(12, 11.5, 12.0, 13, 0.0, 0, 0, 71), 3, 6));
    assertEquals("underway|unknown|u4pru|h14", WindowStrata.stratum(w(12, 11.5, 12.0, 13, 0.0, 0, 0, null), 5, 1));
    assertEquals("u4pruydqqvj", WindowStrata.geohash(57.64911, 10.40744, 11));
    assertEquals("h00", WindowStrata.hourBucket(T0, 24));
    assertThrows(IllegalArgumentException.class, () -> WindowStrata.hourBucket(T0, 5));
    assertThrows(IllegalArgumentException.class, () -> WindowStrata.geohash(0, 0, 13));
  }
}
