package io.aisdistill.common.llm;

import java.nio.file.Path;

/**
 * The teacher mix ({@code --teachers FILE}): the LLMs that generate QA pairs and judge them, and
 * how the fan-out runs ({@link FanoutConfig}). YAML with snake_case keys; unknown keys are an
 * error. See {@code conf/teachers-local.yaml} and {@code conf/teachers-example.yaml}. The evaluate
 * stage's models file is {@link ModelsFile}.
 */
public class TeacherConfig extends FanoutConfig {
  private static final long serialVersionUID = 1L;

  /**
   * Most windows selected for the teachers (0 = unlimited): an alias of {@code select.max_windows}
   * applied by the select stage; when both are set the smaller applies.
   */
  public int maxWindows = 0;
  /** Judge: lowest rubric score (1-5) on every criterion for an LLM-judged pair to be accepted. */
  public double judgeMinScore = 4;

  /**
   * Loads and validates a teacher file.
   *
   * @throws IllegalArgumentException for a missing file, invalid YAML, an unknown key, duplicate
   *     names or an invalid model entry
   */
  public static TeacherConfig load(Path file) {
    return read(file, TeacherConfig.class);
  }
}
