package io.aisdistill.jobs;

import io.aisdistill.jobs.cli.Cli;

/**
 * {@code spark-submit --class io.aisdistill.jobs.SelectJob} entry point of the select stage
 * ({@link io.aisdistill.jobs.stage.select.SelectStage}): the same options as {@code ais-distill select};
 * runs a pipeline of that one stage; exits 0, or 1 with a one-line reason on failure, 2 on a usage error.
 */
public final class SelectJob {
  private SelectJob() {}

  /** Parses the stage's options, runs it, stops Spark and exits. */
  public static void main(String[] args) {
    Cli.stageMain(new Cli.Select(), args);
  }
}
