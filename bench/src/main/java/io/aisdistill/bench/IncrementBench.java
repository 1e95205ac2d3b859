package io.aisdistill.bench;

import io.aisdistill.common.sim.AisSimulator;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.config.SparkSessions;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.pipeline.RunPlan;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.StageResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Cost of a one-day increment on top of 1, 7 and 30 days of history (an executable, not a test).
 *
 * <p>Usage: {@code IncrementBench VESSELS [WORKDIR [KEY=VALUE...]]}, the KEY=VALUE pairs being
 * configuration settings as {@code --set} takes them (e.g. {@code select.scope=day}). Simulates 31 days of MarineCadastre CSV for
 * VESSELS vessels (about 900 rows per vessel and day), one file per UTC day, then runs the default
 * pipeline (ingest, windows, select, generate, judge; offline grounded teacher) into one lakehouse,
 * in Spark local mode on every core: day 1; day 2 (measured: history 1 day); days 3-7 at once;
 * day 8 (measured: 7 days); days 9-30 at once; day 31 (measured: 30 days); and, for contrast, a
 * full windows recompute (--full) over the 31 days. It prints per measured run and stage the wall
 * and CPU seconds and the rows the stage read, as {@code name=value} lines last
 * ({@code h1_windows_cpu_s=}, {@code h30_windows_positions_read=}, ...).
 */
public final class IncrementBench {
  private IncrementBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: IncrementBench VESSELS [WORKDIR [KEY=VALUE...]]");
      System.exit(2);
    }
    int vessels = Integer.parseInt(args[0]);
    Path work = Path.of(args.length > 1 ? args[1] : "target/bench-increment");
    Path in = work.resolve("days");
    List<Path> days = simulate(vessels, 31, in);
    int cores = Runtime.getRuntime().availableProcessors();
    // settings after WORKDIR, as --set takes them (e.g. select.scope=day)
    List<String> sets = new ArrayList<>(List.of("spark.master=local[" + cores + "]",
        "spark.shuffle_partitions=" + Math.max(2, cores * 2)));
    sets.addAll(Arrays.asList(args).subList(Math.min(2, args.length), args.length));
    PipelineConfig cfg = PipelineConfig.load(null, sets);
    SparkSession spark = SparkSessions.getOrCreate(cfg, "ais-distill increment bench");
    Map<String, String> figures = new LinkedHashMap<>();
    try {
      Lakehouse lh = new Lakehouse(spark, work.resolve("lakehouse-" + System.nanoTime()).toString());
      run(spark, lh, cfg, days.subList(0, 1), null, figures);
      run(spark, lh, cfg, days.subList(1, 2), "h1", figures);
      run(spark, lh, cfg, days.subList(2, 7), null, figures);
      run(spark, lh, cfg, days.subList(7, 8), "h7", figures);
      run(spark, lh, cfg, days.subList(8, 30), null, figures);
      run(spark, lh, cfg, days.subList(30, 31), "h30", figures);
      PipelineConfig full = PipelineConfig.load(null, List.of("spark.master=local[" + cores + "]",
          "spark.shuffle_partitions=" + Math.max(2, cores * 2), "windows.incremental=false", "run.stages=[windows]"));
      run(spark, lh, full, List.of(), "full31", figures);
    } finally {
      spark.stop();
    }
    System.out.println("vessels=" + vessels);
    System.out.println("settings=" + String.join(" ", sets.subList(2, sets.size())));
    System.out.println("cores=" + cores);
    figures.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  /** Runs the stages of {@code cfg} on {@code inputs}; records each stage's figures under {@code label} (null = not measured). */
  static void run(SparkSession spark, Lakehouse lh, PipelineConfig cfg, List<Path> inputs, String label,
      Map<String, String> figures) {
    List<String> paths = inputs.stream().map(Path::toString).toList();
    List<Stage<?>> stages = RunPlan.of(cfg, new RunPlan.Options(paths, "auto", null, null)).stages();
    StageContext ctx = new StageContext(spark, lh, cfg, label == null ? "history" : label);
    for (Stage<?> s : stages) {
      Span.Clock c = Span.start();
      StageResult r = s.run(ctx);
      Span span = c.stop();
      if (label != null) {
        String p = label + "_" + s.name() + "_";
        figures.put(p + "wall_s", String.format("%.2f", span.wallS()));
        figures.put(p + "cpu_s", String.format("%.2f", span.cpuS()));
        String md = r.report().toMarkdown();
        for (String key : List.of("lines_read", "positions_read", "windows_in", "windows_read", "candidates",
            "pairs_rejudged", "pairs_duplicate_checked", "days_decided")) {
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| " + key + " \\| (\\d+) \\|").matcher(md);
          if (m.find()) {
            figures.put(p + key, m.group(1));
          }
        }
        System.err.print(md);
      }
    }
  }

  /** Writes {@code n} days of traffic for {@code vessels} vessels, one CSV per UTC day (with header). */
  static List<Path> simulate(int vessels, int n, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path all = dir.resolve("all.csv");
    try (BufferedWriter w = Files.newBufferedWriter(all, StandardCharsets.UTF_8)) {
      AisSimulator.write(new AisSimulator.Config(vessels, n * 24.0, Instant.parse("2024-06-01T00:00:00Z"), 42), w);
    }
    Map<String, BufferedWriter> out = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(all, StandardCharsets.UTF_8)) {
      String header = r.readLine();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        int c = line.indexOf(',');
        String day = line.substring(c + 1, c + 11);
        BufferedWriter w = out.get(day);
        if (w == null) {
          Path p = dir.resolve("ais-" + day + ".csv");
          files.add(p);
          w = Files.newBufferedWriter(p, StandardCharsets.UTF_8);
          w.write(header);
          w.newLine();
          out.put(day, w);
        }
        w.write(line);
        w.newLine();
      }
    } finally {
      for (BufferedWriter w : out.values()) {
        w.close();
      }
    }
    Files.delete(all);
    files.sort(null);
    if (files.size() != n) {
      throw new IllegalStateException("expected " + n + " days, simulated " + files.size());
    }
    return files;
  }
}
