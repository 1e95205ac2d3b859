package io.aisdistill.jobs.stage.train;

import io.aisdistill.jobs.stage.AbstractStage;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.report.StageReport;
import io.aisdistill.jobs.training.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Stage 5b, train: LoRA fine-tuning of the student on an export directory, by the Python trainer
 * ({@link Trainer}); the adapter, tokenizer and metrics go to {@code out}. Reads and writes no table.
 */
public final class TrainStage extends AbstractStage<TrainResult> {
  private final Path export;
  private final Path out;
  private final List<String> trainerArgs;

  /**
   * @param export export directory (with manifest.json)
   * @param out training output directory
   * @param trainerArgs further trainer options (e.g. {@code --max-steps 30}), passed on as they are
   */
  public TrainStage(Path export, Path out, List<String> trainerArgs) {
    super("train", List.of(), List.of());
    this.export = export;
    this.out = out;
    this.trainerArgs = List.copyOf(trainerArgs);
  }

  /**
   * Runs the trainer and waits for it.
   *
   * @throws IllegalStateException when the trainer exits non-zero or the thread is interrupted
   * @throws UncheckedIOException when the trainer cannot be started
   */
  @Override
  public TrainResult run(StageContext ctx) {
    long t0 = System.currentTimeMillis();
    try {
      Trainer.runTrainer(ctx.config(), null, export, out, trainerArgs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    }
    String outDir = out.toAbsolutePath().toString();
    return new TrainResult(outDir, new StageReport("train").put("out", outDir)
        .elapsedMs(System.currentTimeMillis() - t0));
  }
}
