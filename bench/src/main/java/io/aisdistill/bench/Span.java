package io.aisdistill.bench;

import java.lang.management.ManagementFactory;

/**
 * Wall time, CPU time and JIT compilation time of one measured stretch of a benchmark.
 *
 * <p>CPU time is this process's, all threads together (JVM threads and native threads alike, e.g.
 * DuckDB's worker threads inside the JVM), from {@code com.sun.management.OperatingSystemMXBean
 * #getProcessCpuTime} (user + system, nanoseconds). It stays meaningful when other processes share
 * the cores, where wall time does not.
 *
 * <p>JIT time is the JVM's accumulated compilation time ({@link java.lang.management.CompilationMXBean
 * #getTotalCompilationTime}): the elapsed time its JIT compiler threads spent compiling, which are part
 * of the process CPU time above. Elapsed, not CPU: a compiler thread that waits for a core counts
 * its wait, so on a busy machine it is an upper bound of the compilers' CPU seconds. 0 where the JVM
 * does not report it.
 *
 * @param wallS elapsed wall-clock seconds
 * @param cpuS process CPU seconds used meanwhile
 * @param jitS seconds the JIT compilers spent compiling meanwhile (elapsed)
 */
record Span(double wallS, double cpuS, double jitS) {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  /** Accumulated JIT compilation time of this JVM, milliseconds; 0 where not reported. */
  private static long jitMs() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
  }

  /** A stretch being measured: {@link #stop} ends it. */
  static final class Clock {
    private final long wall0 = System.nanoTime();
    private final long cpu0 = OS.getProcessCpuTime();
    private final long jit0 = jitMs();

    /** The span from this clock's start to now. */
    Span stop() {
      return new Span((System.nanoTime() - wall0) / 1e9, (OS.getProcessCpuTime() - cpu0) / 1e9,
          (jitMs() - jit0) / 1e3);
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
