package io.aisdistill.jobs;

import io.aisdistill.jobs.stage.StageContext;

import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.lakehouse.Tables;
import io.aisdistill.jobs.stage.ingest.IngestStage;
import io.aisdistill.jobs.stage.windows.WindowsStage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** Shared test data for the LLM stages: track_windows of data-samples/, built once per JVM. */
final class LlmFixture {
  private static Path windowsLakehouse;

  private LlmFixture() {}

  /**
   * The test configuration with stopped windows not capped ({@code select.max_stopped_share=1}):
   * tests that count calls per selected window take every window up to max_windows.
   */
  static final PipelineConfig UNCAPPED = PipelineConfig.load(null,
      List.of("spark.master=local[2]", "spark.shuffle_partitions=4", "select.max_stopped_share=1"));

  /** A new lakehouse at {@code dir} holding a copy of the samples' track_windows. */
  static synchronized Lakehouse lakehouseWithWindows(Path dir) throws IOException {
    SparkSession spark = SparkTestSession.get();
    if (windowsLakehouse == null) {
      Path base = Files.createTempDirectory("ais-llm-fixture");
      Lakehouse lh = new Lakehouse(spark, base.toString());
      new IngestStage(List.of(SparkTestSession.repo().resolve("data-samples").toString()), null).run(new StageContext(spark, lh, SparkTestSession.config(), "fixture"));
      new WindowsStage().run(new StageContext(spark, lh, SparkTestSession.config(), "windows"));
      windowsLakehouse = base;
    }
    copy(windowsLakehouse.resolve(Tables.WINDOWS), dir.resolve(Tables.WINDOWS));
    return new Lakehouse(spark, dir.toString());
  }

  /** Copies the directory tree {@code from} to {@code to} (a lakehouse, or one table of it). */
  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      s.forEach(p -> {
        try {
          Path t = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.copy(p, t);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /**
   * The Qwen2.5 tokenizer directory in ../shared, or null when ../shared is missing (then token
   * counts fall back to the chars/4 estimate, so these tests also pass in a bare clone).
   */
  static String tokenizer() {
    Path p = SparkTestSession.repo().resolve("../shared/models/qwen2.5-tokenizer").normalize();
    return Files.isRegularFile(p.resolve("tokenizer.json")) ? p.toString() : null;
  }

  /** A teacher file for the loopback server: one generate-teacher, one judge (default max_attempts). */
  static Path teacherFile(Path dir, String baseUrl, int maxWindows, int concurrency) throws IOException {
    return teacherFile(dir, baseUrl, maxWindows, concurrency, true, 0);
  }

  /**
   * A teacher file for the loopback server at {@code baseUrl}, written to {@code dir/teachers.yaml}
   * ({@code dir} is created): one generate-teacher {@code loop-teacher} with {@code concurrency}
   * calls in flight and, when {@code withJudge}, an LLM judge {@code loop-judge} at the same URL.
   *
   * @param maxAttempts the teacher's {@code max_attempts}; 0 leaves the default of ModelSpec
   */
  static Path teacherFile(Path dir, String baseUrl, int maxWindows, int concurrency, boolean withJudge,
      int maxAttempts) throws IOException {
    String tok = tokenizer();
    String yaml = """
        tokenizer: %s
        tasks: 1
        commit_interval_s: 2
        progress_interval_s: 1
        max_windows: %d
        models:
          - name: loop-teacher
            role: generate
            base_url: %s
            model: loop-model
            api_key_env: AIS_DISTILL_TEST_API_KEY
            rpm: 6000
            tpm: 20000000
            price_in_per_mtok: 2.5
            price_out_per_mtok: 10
            max_concurrency: %d
            timeout_s: 5
            backoff_initial_ms: 50
        """.formatted(tok, maxWindows, baseUrl, concurrency);
    if (maxAttempts > 0) {
      yaml += "    max_attempts: %d\n".formatted(maxAttempts);
    }
    if (withJudge) {
      yaml += """
            - name: loop-judge
              role: judge
              base_url: %s
              model: loop-judge-model
              api_key_env: AIS_DISTILL_TEST_API_KEY
              max_tokens: 200
              price_in_per_mtok: 0.15
              price_out_per_mtok: 0.6
              max_concurrency: %d
              timeout_s: 5
          """.formatted(baseUrl, concurrency);
    }
    Files.createDirectories(dir);
    Path f = dir.resolve("teachers.yaml");
    Files.writeString(f, yaml);
    return f;
  }
}
