package io.aisdistill.common.ais;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The seven static vessel fields: filling unknown fields from another source. */
class VesselStaticTest {
  @Test
  void knownFieldsWinUnknownOnesComeFromTheFallback() {
    VesselStatic a = new VesselStatic("ALPHA", null, "OXAB2", null, 120.0, null, null);
    VesselStatic b = new VesselStatic("BETA", "9176187", "XXXX", 70, 99.0, 20.0, 7.5);
    assertEquals(new VesselStatic("ALPHA", "9176187", "OXAB2", 70, 120.0, 20.0, 7.5), a.orElse(b));
    assertEquals(a, a.orElse(VesselStatic.UNKNOWN));
    assertEquals(b, VesselStatic.UNKNOWN.orElse(b));
  }

  @Test
  void positionsAreEnrichedFieldByField() {
    PositionReport p = new PositionReport(219000001L, 1000L, 55.0, 11.0, 10.0, 90.0, 91, 0, 1, "A",
        null, null, "OXAB2", null, 120.0, null, null, "f", 7L, null);
    StaticReport s = new StaticReport(219000001L, 900L, 5, "ALPHA", "9176187", "XXXX", 70, 99.0, 20.0, 7.5,
        "AARHUS", "f", 3L);
    PositionReport e = p.enrichedWith(s);
    assertEquals(new VesselStatic("ALPHA", "9176187", "OXAB2", 70, 120.0, 20.0, 7.5), e.vesselStatic());
    assertEquals(new PositionReport(219000001L, 1000L, 55.0, 11.0, 10.0, 90.0, 91, 0, 1, "A",
        "ALPHA", "9176187", "OXAB2", 70, 120.0, 20.0, 7.5, "f", 7L, null), e);
    assertSame(p, p.enrichedWith(null));
  }
}
