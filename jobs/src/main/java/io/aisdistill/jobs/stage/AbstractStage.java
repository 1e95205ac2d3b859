package io.aisdistill.jobs.stage;

import java.util.List;

/**
 * The common part of every {@link Stage}: its name and the lakehouse tables it reads and writes,
 * declared once in the stage's constructor ({@code super("windows", List.of(Tables.POSITIONS),
 * List.of(Tables.WINDOWS))}), so that a stage class holds only its options and its
 * {@link #run(StageContext) run}.
 *
 * @param <R> the stage's result record
 */
public abstract class AbstractStage<R extends StageResult> implements Stage<R> {
  private final String name;
  private final List<String> reads;
  private final List<String> writes;

  /**
   * @param name the stage name as used in {@code run.stages}
   * @param reads names of the tables the stage reads (see {@code Tables}), in the order it reads them
   * @param writes names of the tables the stage writes
   */
  protected AbstractStage(String name, List<String> reads, List<String> writes) {
    this.name = name;
    this.reads = List.copyOf(reads);
    this.writes = List.copyOf(writes);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final List<String> reads() {
    return reads;
  }

  @Override
  public final List<String> writes() {
    return writes;
  }
}
