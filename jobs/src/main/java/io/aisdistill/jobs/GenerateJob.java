package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;

/**
 * {@code spark-submit --class io.aisdistill.jobs.GenerateJob} entry point of the generate stage
 * ({@link io.aisdistill.jobs.stage.generate.GenerateStage}): the same options as {@code ais-distill generate};
 * runs a pipeline of that one stage; exits 0, or 1 with a one-line reason on failure, 2 on a usage error.
 */
public final class GenerateJob {
  private GenerateJob() {}

  /** Parses the stage's options, runs it, stops Spark and exits. */
  public static void main(String[] args) {
    Cli.stageMain(new Cli.Generate(), args);
  }
}
