package io.aisdistill.jobs;

/**
 * {@code spark-submit --class io.aisdistill.jobs.Cli} and bin/ais-distill entry point: the
 * {@code ais-distill} command line ({@link io.aisdistill.jobs.cli.Cli}).
 */
public final class Cli {
  private Cli() {}

  /** Runs the command line, stops Spark and exits with its status. */
  public static void main(String[] args) {
    io.aisdistill.jobs.cli.Cli.main(args);
  }
}
