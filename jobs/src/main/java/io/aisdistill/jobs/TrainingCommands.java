package io.aisdistill.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** The {@code export} and {@code train} subcommands of {@link Cli}. */
final class TrainingCommands {
  private TrainingCommands() {}

  /** {@code ais-distill export --lakehouse DIR --out DIR}: accepted QA to a training-set directory. */
  @Command(name = "export", description = "qa_judged -> train/validation/test JSONL, Parquet, Arrow + manifest.json; "
      + "a row in training_runs.")
  static final class Export extends Cli.StageCommand {
    @Option(names = "--out", required = true, description = "Output directory (local).")
    Path out;

    @Override
    List<StageReport> stages(SparkSession spark, Lakehouse lh, PipelineConfig cfg, String runId) {
      return List.of(ExportJob.run(spark, lh, cfg, out, runId));
    }
  }

  /**
   * {@code ais-distill train --export DIR --out DIR [trainer options]}: runs the Python LoRA
   * trainer ({@code jobs/lora-trainer}) as a subprocess; options it does not know itself (e.g.
   * {@code --max-steps 30}, {@code --base-model DIR}) are passed on to the trainer.
   */
  @Command(name = "train", description = "LoRA fine-tuning of the student on an export (Python transformers + PEFT).")
  static final class Train implements Callable<Integer> {
    @Mixin Cli.Common common;

    @Option(names = "--export", required = true, description = "Export directory (with manifest.json).")
    Path export;

    @Option(names = "--out", required = true, description = "Output directory: adapter, tokenizer, metrics.json.")
    Path out;

    @Option(names = "--python", description = "Python interpreter (default: train.python, $AIS_DISTILL_PYTHON, "
        + "jobs/lora-trainer/.venv/bin/python when present, else python3).")
    String python;

    @Unmatched List<String> trainerArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
      Path home = home();
      List<String> cmd = new ArrayList<>(List.of(interpreter(common.config(), home), "-m", "lora_trainer", "train",
          "--export", export.toAbsolutePath().toString(), "--out", out.toAbsolutePath().toString()));
      cmd.addAll(trainerArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      String src = home.resolve("jobs/lora-trainer/src").toString();
      String pp = pb.environment().get("PYTHONPATH");
      pb.environment().put("PYTHONPATH", pp == null || pp.isEmpty() ? src : src + java.io.File.pathSeparator + pp);
      int rc = pb.start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("trainer exited with status " + rc + " (" + String.join(" ", cmd) + ")");
      }
      return 0;
    }

    String interpreter(PipelineConfig cfg, Path home) {
      if (python != null && !python.isBlank()) {
        return python;
      }
      if (cfg.train.python != null && !cfg.train.python.isBlank()) {
        return cfg.train.python;
      }
      String env = System.getenv("AIS_DISTILL_PYTHON");
      if (env != null && !env.isBlank()) {
        return env;
      }
      Path venv = home.resolve("jobs/lora-trainer/.venv/bin/python");
      return Files.isExecutable(venv) ? venv.toString() : "python3";
    }

    private static Path home() {
      String h = System.getenv("AIS_DISTILL_HOME");
      return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
    }
  }
}
