package io.aisdistill.bench;

import java.lang.management.ManagementFactory;

/**
 * Wall time and CPU time of one measured stretch of a benchmark.
 *
 * <p>CPU time is this process's, all threads together (JVM threads and native threads alike, e.g.
 * DuckDB's worker threads inside the JVM), from {@code com.sun.management.OperatingSystemMXBean
 * #getProcessCpuTime} (user + system, nanoseconds). It stays meaningful when other processes share
 * the cores, where wall time does not.
 *
 * @param wallS elapsed wall-clock seconds
 * @param cpuS process CPU seconds used meanwhile
 */
record Span(double wallS, double cpuS) {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** A stretch being measured: {@link #stop} ends it. */
  static final class Clock {
    private final long wall0 = System.nanoTime();
    private final long cpu0 = OS.getProcessCpuTime();

    /** The span from this clock's start to now. */
    Span stop() {
      return new Span((System.nanoTime() - wall0) / 1e9, (OS.getProcessCpuTime() - cpu0) / 1e9);
    }
  }

  /** Starts measuring now. */
  static Clock start() {
    return new Clock();
  }

  /** {@code rows / cpuS} (rows per CPU-second); infinity when no CPU time was measured. */
  double rowsPerCpuS(long rows) {
    return rows / cpuS;
  }
}
