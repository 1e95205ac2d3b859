package io.aisdistill.jobs.stage;

import java.util.List;

/**
 * One stage of the pipeline (ingest, windows, select, generate, judge, export, train, evaluate).
 *
 * <p>A stage is built with its own options (input files, teacher file, export directory, ...), then
 * {@link #run(StageContext) run} once against a lakehouse: it reads the Delta tables of
 * {@link #reads()}, writes those of {@link #writes()}, and returns a typed result. Stages never call
 * back into the command line; a {@code Pipeline} runs them in order.
 *
 * @param <R> the stage's result record
 */
public interface Stage<R extends StageResult> {
  /** The stage name as used in {@code run.stages}: {@code ingest}, {@code windows}, ... */
  String name();

  /** Names of the lakehouse tables the stage reads (see {@code Tables}); empty for none. */
  List<String> reads();

  /** Names of the lakehouse tables the stage writes (see {@code Tables}); empty for none. */
  List<String> writes();

  /**
   * Runs the stage.
   *
   * @return what the stage did, typed
   * @throws IllegalStateException when a table the stage reads does not exist
   * @throws IllegalArgumentException on invalid options or configuration
   */
  R run(StageContext ctx);
}
