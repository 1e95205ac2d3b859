package io.aisdistill.jobs.pipeline;

import io.aisdistill.jobs.stage.Stage;
import io.aisdistill.jobs.stage.StageContext;
import io.aisdistill.jobs.stage.StageResult;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of {@link Stage}s run one after the other against one {@link StageContext}.
 * {@code ais-distill run} is the pipeline of {@code run.stages}; each spark-submit entry class
 * ({@code io.aisdistill.jobs.IngestJob}, ...) is a pipeline of one stage.
 */
public final class Pipeline {
  private final List<Stage<?>> stages;

  /** @param stages the stages, in the order they run */
  public Pipeline(List<? extends Stage<?>> stages) {
    this.stages = List.copyOf(stages);
  }

  /** The stages, in order. */
  public List<Stage<?>> stages() {
    return stages;
  }

  /**
   * Runs every stage in order; a failing stage stops the pipeline (its exception propagates, the
   * stages after it do not run).
   *
   * @return each stage's result, in order
   */
  public List<StageResult> run(StageContext ctx) {
    List<StageResult> results = new ArrayList<>();
    for (Stage<?> s : stages) {
      results.add(s.run(ctx));
    }
    return results;
  }
}
