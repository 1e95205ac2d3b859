package io.aisdistill.common.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an executor's memory must not grow with the rows of one vessel. The windows stage
 * streams each sorted vessel partition through one {@link Segmenter}; this feeds one MMSI with
 * 5,000,000 reports (every 2 s for about 116 days, generated on the fly, never held in a list) and
 * checks that the segmenter keeps only the current window: every window and the state handed over
 * at the end hold at most window_length_s / 2 s reports, and the heap in use after a GC grows by
 * less than 64 MiB between report 1,000,000 and report 5,000,000 (holding the 4 M reports between
 * would take at least 4 M x 56 bytes = 224 MB).
 */
class SegmenterMemoryTest {
  private static final long MMSI = 366_000_777L;
  private static final int REPORTS = 5_000_000;
  private static final long STEP_MS = 2_000;

  @Test
  void oneVesselWithMillionsOfReportsKeepsOnlyTheCurrentWindow() {
    WindowConfig cfg = WindowConfig.defaults();
    long maxPerWindow = cfg.windowLengthS() * 1000 / STEP_MS;
    long[] windows = {0};
    int[] largest = {0};
    List<VesselState> states = new ArrayList<>();
    Segmenter s = new Segmenter(cfg, m -> null, w -> {
      windows[0]++;
      largest[0] = Math.max(largest[0], w.nPoints());
    }, states::add);
    long heapAt1M = 0;
    // 10 kn east then west along the equator (a triangle wave of 0.5 degrees): no gaps, no jumps
    double stepDeg = 10.0 * STEP_MS / 3_600_000.0 / 60.0;
    int leg = (int) (0.5 / stepDeg);
    for (int i = 0; i < REPORTS; i++) {
      int k = i % (2 * leg);
      double lon = (k < leg ? k : 2 * leg - k) * stepDeg;
      s.accept(SegmenterTest.pos(MMSI, SegmenterTest.T0 + i * STEP_MS, 0.0, lon, 10.0, 0));
      if (i == 1_000_000) {
        heapAt1M = usedHeapAfterGc();
      }
    }
    long growth = usedHeapAfterGc() - heapAt1M;
    s.finish();

    assertEquals(REPORTS, s.stats().points);
    assertEquals(1, s.stats().segments);
    assertEquals((REPORTS + maxPerWindow - 1) / maxPerWindow, windows[0]);
    assertTrue(largest[0] <= maxPerWindow, "window of " + largest[0] + " reports");
    assertEquals(1, states.size());
    int held = states.get(0).tracks().stream().mapToInt(t -> t.points().size()).sum();
    assertTrue(held <= maxPerWindow, "state holds " + held + " reports");
    assertTrue(growth < 64L << 20, "heap grew by " + (growth >> 20) + " MiB over 4,000,000 reports of one vessel");
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
