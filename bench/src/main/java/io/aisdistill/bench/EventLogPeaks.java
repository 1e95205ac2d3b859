package io.aisdistill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The memory figures of one Spark application from its event log (uncompressed JSON lines, as
 * {@code spark.eventLog.compress=false} writes them), for bench/scale. An executable, not a test.
 *
 * <p>Usage: {@code EventLogPeaks PATH}: an event log file, or a directory searched for them (Spark 4
 * writes {@code eventlog_v2_<app>/events_N_<app>} files). Prints, one name=value per line:
 * <ul>
 *   <li>{@code peak_executor_heap_bytes}: the largest {@code JVMHeapMemory} (heap in use) any
 *       executor reported ({@code SparkListenerStageExecutorMetrics}, written with
 *       {@code spark.eventLog.logStageExecutorMetrics=true}; sampled at heartbeats), the driver
 *       left out;</li>
 *   <li>{@code peak_task_execution_memory_bytes}: the largest {@code Peak Execution Memory} of a
 *       task (sorts, aggregations, joins: Spark's execution memory, bounded by the executor's);</li>
 *   <li>{@code memory_spilled_bytes} and {@code disk_spilled_bytes}: the sums over tasks of
 *       {@code Memory Bytes Spilled} and {@code Disk Bytes Spilled};</li>
 *   <li>{@code tasks} and {@code failed_tasks}.</li>
 * </ul>
 * Exit status 2 on a usage error.
 */
public final class EventLogPeaks {
  private EventLogPeaks() {}

  /**
   * Runs it.
   *
   * @param args the event log file or a directory holding them
   * @throws IllegalArgumentException when there is no event log
   * @throws Exception when it cannot be read or a line is not JSON
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: EventLogPeaks PATH");
      System.exit(2);
    }
    ObjectMapper json = new ObjectMapper();
    long heap = 0, task = 0, memSpill = 0, diskSpill = 0, tasks = 0, failed = 0;
    List<Path> files;
    try (Stream<Path> all = Files.walk(Path.of(args[0]))) {
      // a plain (v1) log is the file itself; a rolling (v2) log is a directory of events_N_* files
      files = all.filter(Files::isRegularFile)
          .filter(p -> p.equals(Path.of(args[0])) || p.getFileName().toString().startsWith("events_"))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no Spark event log in " + args[0]);
    }
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          JsonNode e = json.readTree(line);
          switch (e.path("Event").asText()) {
            case "SparkListenerStageExecutorMetrics" -> {
              if (!"driver".equals(e.path("Executor ID").asText())) {
                heap = Math.max(heap, e.path("Executor Metrics").path("JVMHeapMemory").asLong());
              }
            }
            case "SparkListenerTaskEnd" -> {
              tasks++;
              if (!"Success".equals(e.path("Task End Reason").path("Reason").asText())) {
                failed++;
              }
              JsonNode m = e.path("Task Metrics");
              task = Math.max(task, m.path("Peak Execution Memory").asLong());
              memSpill += m.path("Memory Bytes Spilled").asLong();
              diskSpill += m.path("Disk Bytes Spilled").asLong();
            }
            default -> { }
          }
        }
      }
    }
    System.out.println("peak_executor_heap_bytes=" + heap);
    System.out.println("peak_task_execution_memory_bytes=" + task);
    System.out.println("memory_spilled_bytes=" + memSpill);
    System.out.println("disk_spilled_bytes=" + diskSpill);
    System.out.println("tasks=" + tasks);
    System.out.println("failed_tasks=" + failed);
  }
}
