package io.aisdistill.jobs.cli;

import io.aisdistill.jobs.training.LocalServer;
import io.aisdistill.jobs.training.Trainer;
import io.aisdistill.jobs.config.PipelineConfig;
import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.lakehouse.Lakehouse;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.stage.export.ExportStage;

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
public final class TrainingCommands {
  private TrainingCommands() {}

  /** {@code ais-distill export --lakehouse DIR --out DIR}: accepted QA to a training-set directory. */
  @Command(name = "export", description = "qa_judged -> train/validation/test JSONL, Parquet, Arrow + manifest.json; "
      + "a row in training_runs.")
  public static final class Export extends Cli.StageCommand {
    @Option(names = "--out", required = true, description = "Output directory (local).")
    Path out;

    @Override
    List<Stage<?>> stages(PipelineConfig cfg) {
      return List.of(new ExportStage(out));
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
      Trainer.runTrainer(common.config(), python, export, out, trainerArgs);
      return 0;
    }
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
      List<String> cmd = LocalServer.command(Trainer.interpreter(python, common.config()), trainOut, port, serverArgs);
      Process p = Trainer.pythonProcess(cmd).inheritIO().start();
      Thread stop = new Thread(p::destroy, "stop-server");   // SIGTERM / Ctrl-C stop the server too
      Runtime.getRuntime().addShutdownHook(stop);
      int rc = p.waitFor();
      Runtime.getRuntime().removeShutdownHook(stop);
      return rc;
    }
  }

}
