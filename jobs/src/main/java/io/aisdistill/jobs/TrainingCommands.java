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

/** The {@code export}, {@code train} and {@code serve} subcommands of {@link Cli}, and the local server of {@code run}. */
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
      runTrainer(common.config(), python, export, out, trainerArgs);
      return 0;
    }
  }

  /**
   * Runs {@code python -m lora_trainer train --export EXPORT --out OUT ARGS...} and waits for it.
   *
   * @param python interpreter; null or blank = {@link #interpreter}'s default
   * @throws IllegalStateException when the trainer exits non-zero
   */
  static void runTrainer(PipelineConfig cfg, String python, Path export, Path out, List<String> args)
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
  static ProcessBuilder pythonProcess(List<String> cmd) {
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
  static String interpreter(String python, PipelineConfig cfg) {
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

  /**
   * {@code ais-distill serve --train-out DIR [--port 8080]}: serves the base model (alias
   * {@code base}) and base + the trained LoRA adapter (alias {@code student}) with llama.cpp's
   * OpenAI-compatible server on 127.0.0.1, in the foreground ({@code python -m lora_trainer serve};
   * other options are passed on).
   */
  @Command(name = "serve", description = "Serve base + student (LoRA) on 127.0.0.1 with llama.cpp's "
      + "OpenAI-compatible server (python -m lora_trainer serve).")
  static final class Serve implements Callable<Integer> {
    @Mixin Cli.Common common;

    @Option(names = "--train-out", required = true, description = "Training output directory (adapter/).")
    Path trainOut;

    @Option(names = "--port", defaultValue = "8080", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--python", description = "Python interpreter (default as for train).")
    String python;

    @Unmatched List<String> serverArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
      List<String> cmd = LocalServer.command(interpreter(python, common.config()), trainOut, port, serverArgs);
      Process p = pythonProcess(cmd).inheritIO().start();
      Thread stop = new Thread(p::destroy, "stop-server");   // SIGTERM / Ctrl-C stop the server too
      Runtime.getRuntime().addShutdownHook(stop);
      int rc = p.waitFor();
      Runtime.getRuntime().removeShutdownHook(stop);
      return rc;
    }
  }

  /** The local llama.cpp server of {@code run} ({@code evaluate.serve: local}): started, awaited, stopped. */
  static final class LocalServer implements AutoCloseable {
    private final Process process;
    final Path log;

    /** {@code python -m lora_trainer serve --train-out DIR --host 127.0.0.1 --port PORT ARGS...}. */
    static List<String> command(String python, Path trainOut, int port, List<String> args) {
      List<String> cmd = new ArrayList<>(List.of(python, "-m", "lora_trainer", "serve", "--train-out",
          trainOut.toAbsolutePath().toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
      cmd.addAll(args);
      return cmd;
    }

    /**
     * Starts the server (output to {@code TRAIN_OUT/serve.log}) and waits until
     * {@code GET /v1/models} answers 200.
     *
     * @throws IllegalStateException when it exits or does not answer within {@code evaluate.serve_start_timeout_s}
     */
    LocalServer(PipelineConfig cfg, Path trainOut) throws IOException, InterruptedException {
      int port = cfg.evaluate.servePort;
      log = trainOut.toAbsolutePath().resolve("serve.log");
      List<String> cmd = command(interpreter(null, cfg), trainOut, port, cfg.evaluate.serveArgs);
      process = pythonProcess(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI models = java.net.URI.create("http://127.0.0.1:" + port + "/v1/models");
      long deadline = System.currentTimeMillis() + (long) (cfg.evaluate.serveStartTimeoutS * 1000);
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("local server exited with status " + process.exitValue() + " (log: " + log
              + "): " + String.join(" ", cmd));
        }
        try {
          var resp = http.send(java.net.http.HttpRequest.newBuilder(models).GET().build(),
              java.net.http.HttpResponse.BodyHandlers.discarding());
          if (resp.statusCode() == 200) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (System.currentTimeMillis() > deadline) {
          close();
          throw new IllegalStateException("local server did not answer " + models + " within "
              + cfg.evaluate.serveStartTimeoutS + " s (log: " + log + ")");
        }
        Thread.sleep(500);
      }
      System.err.println("serve: base + student on http://127.0.0.1:" + port + "/v1 (log " + log + ")");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** $AIS_DISTILL_HOME (set by bin/ais-distill), else the working directory. */
  static Path home() {
    String h = System.getenv("AIS_DISTILL_HOME");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }
}
