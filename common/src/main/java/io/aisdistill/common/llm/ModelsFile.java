package io.aisdistill.common.llm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;

/**
 * The evaluate stage's models file ({@code --models FILE}, {@code evaluate.models}): the models it
 * compares (roles {@code student}, {@code base}, {@code teacher}; a teacher without
 * {@code base_url} is a price reference), the {@code judge} of free-text answers, and how the
 * calls fan out ({@link FanoutConfig}). YAML with snake_case keys; unknown keys are an error, but
 * for {@code max_windows} and {@code judge_min_score}: teacher-file keys that a models file has
 * always been allowed to carry, accepted and ignored. See {@code conf/models-local.yaml} and
 * {@code conf/models-example.yaml}.
 */
@JsonIgnoreProperties({"max_windows", "judge_min_score"})
public class ModelsFile extends FanoutConfig {
  private static final long serialVersionUID = 1L;

  /**
   * Loads and validates a models file.
   *
   * @throws IllegalArgumentException for a missing file, invalid YAML, an unknown key, duplicate
   *     names or an invalid model entry
   */
  public static ModelsFile load(Path file) {
    return read(file, ModelsFile.class);
  }
}
