package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;
import io.aisdistill.jobs.cli.TrainingCommands;

/**
 * {@code spark-submit --class io.aisdistill.jobs.ExportJob} entry point of the export stage
 * ({@link io.aisdistill.jobs.stage.export.ExportStage}): the same options as {@code ais-distill export};
 * runs a pipeline of that one stage; exits 0, or 1 with a one-line reason on failure, 2 on a usage error.
 */
public final class ExportJob {
  private ExportJob() {}

  /** Parses the stage's options, runs it, stops Spark and exits. */
  public static void main(String[] args) {
    Cli.stageMain(new TrainingCommands.Export(), args);
  }
}
