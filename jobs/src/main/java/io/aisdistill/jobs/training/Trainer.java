package io.aisdistill.jobs.training;

import io.aisdistill.jobs.config.PipelineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Python LoRA trainer ({@code jobs/lora-trainer}, transformers + PEFT) as a subprocess:
 * {@code python -m lora_trainer train|serve ...} with {@code PYTHONPATH} set to its sources.
 */
public final class Trainer {
  private Trainer() {}

  /**
   * Runs {@code python -m lora_trainer train --export EXPORT --out OUT ARGS...} and waits for it.
   *
   * @param python interpreter; null or blank = {@link #interpreter}'s default
   * @throws IllegalStateException when the trainer exits non-zero
   */
  public static void runTrainer(PipelineConfig cfg, String python, Path export, Path out, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(interpreter(python, cfg), "-m", "lora_trainer", "train",
        "--export", export.toAbsolutePath().toString(), "--out", out.toAbsolutePath().toString()));
    cmd.addAll(args);
    int rc = pythonProcess(cmd).inheritIO().start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException("trainer exited with status " + rc + " (" + String.join(" ", cmd) + ")");
    }
  }

  /** A process builder for a {@code python -m lora_trainer ...} command, with PYTHONPATH set. */
  public static ProcessBuilder pythonProcess(List<String> cmd) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    String src = home().resolve("jobs/lora-trainer/src").toString();
    String pp = pb.environment().get("PYTHONPATH");
    pb.environment().put("PYTHONPATH", pp == null || pp.isEmpty() ? src : src + java.io.File.pathSeparator + pp);
    return pb;
  }

  /**
   * The trainer's Python: {@code python} when given, else train.python, $AIS_DISTILL_PYTHON,
   * jobs/lora-trainer/.venv/bin/python when present, else python3.
   */
  public static String interpreter(String python, PipelineConfig cfg) {
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
    Path venv = home().resolve("jobs/lora-trainer/.venv/bin/python");
    return Files.isExecutable(venv) ? venv.toString() : "python3";
  }

  /** $AIS_DISTILL_HOME (set by bin/ais-distill), else the working directory. */
  public static Path home() {
    String h = System.getenv("AIS_DISTILL_HOME");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }
}
