package io.aisdistill.common.llm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The teacher mix ({@code --teachers FILE}): the LLMs that generate QA pairs and judge them, and
 * how the fan-out runs. YAML with snake_case keys; unknown keys are an error. See
 * {@code conf/teachers-local.yaml} and {@code conf/teachers-example.yaml}.
 */
public class TeacherConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Qwen2.5 tokenizer directory (tokenizer.json) for token counts; relative paths resolve against the file's directory. */
  public String tokenizer;
  /**
   * Most windows selected for the teachers (0 = unlimited): an alias of {@code select.max_windows}
   * applied by the select stage; when both are set the smaller applies.
   */
  public int maxWindows = 0;
  /** Concurrent Spark tasks issuing calls (0 = Spark's default parallelism). */
  public int tasks = 0;
  /** Seconds between commits of finished calls to llm_calls (one Delta MERGE each). */
  public double commitIntervalS = 5;
  /** Seconds between progress lines on stderr. */
  public double progressIntervalS = 10;
  /** Judge: lowest rubric score (1-5) on every criterion for an LLM-judged pair to be accepted. */
  public double judgeMinScore = 4;
  /** The models. */
  public List<ModelSpec> models = new ArrayList<>();

  /** The models of one role, in file order. */
  public List<ModelSpec> byRole(ModelSpec.Role role) {
    return models.stream().filter(m -> m.roleEnum() == role).toList();
  }

  /**
   * One of {@code models} picked by {@link ModelSpec#share} from a hash of {@code key}: the same
   * key always picks the same model, and over many keys each model gets its share.
   *
   * @throws IllegalArgumentException when {@code models} is empty
   */
  public static ModelSpec pickByShare(List<ModelSpec> models, String key) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no models to pick from");
    }
    double sum = models.stream().mapToDouble(m -> m.share).sum();
    double u = Long.parseUnsignedLong(io.aisdistill.common.qa.WindowPrompt.sha256(key).substring(0, 12), 16)
        / (double) (1L << 48) * sum;
    double acc = 0;
    for (ModelSpec m : models) {
      acc += m.share;
      if (u < acc) {
        return m;
      }
    }
    return models.get(models.size() - 1);
  }

  /** The model called {@code name}, or null. */
  public ModelSpec model(String name) {
    return models.stream().filter(m -> m.name.equals(name)).findFirst().orElse(null);
  }

  /**
   * Loads and validates a teacher file.
   *
   * @throws IllegalArgumentException for a missing file, invalid YAML, an unknown key, duplicate
   *     names or an invalid model entry
   */
  public static TeacherConfig load(Path file) {
    ObjectMapper m = new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    TeacherConfig c;
    try {
      c = m.readValue(Files.readString(file), TeacherConfig.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid teacher file " + file + ": " + e.getMessage(), e);
    }
    if (c.models.isEmpty()) {
      throw new IllegalArgumentException("teacher file " + file + " lists no models");
    }
    for (ModelSpec s : c.models) {
      s.validate();
    }
    if (c.models.stream().map(s -> s.name).distinct().count() != c.models.size()) {
      throw new IllegalArgumentException("teacher file " + file + ": model names must be unique");
    }
    if (c.tokenizer != null && !Path.of(c.tokenizer).isAbsolute()) {
      Path dir = file.toAbsolutePath().getParent();
      c.tokenizer = dir.resolve(c.tokenizer).normalize().toString();
    }
    return c;
  }
}
