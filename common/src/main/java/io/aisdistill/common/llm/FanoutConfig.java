package io.aisdistill.common.llm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.aisdistill.common.text.Sha256;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the two YAML files listing LLM endpoints share: the models ({@link ModelSpec}), the
 * tokenizer for token counts, and how the calls fan out over Spark tasks. The files themselves
 * are {@link TeacherConfig} ({@code --teachers}: generate and judge models) and {@link ModelsFile}
 * ({@code --models}: the evaluate stage's models). YAML with snake_case keys; unknown keys are an
 * error.
 */
public abstract class FanoutConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Qwen2.5 tokenizer directory (tokenizer.json) for token counts; relative paths resolve against the file's directory. */
  public String tokenizer;
  /** Concurrent Spark tasks issuing calls (0 = Spark's default parallelism). */
  public int tasks = 0;
  /** Seconds between commits of finished calls to llm_calls (one Delta MERGE each). */
  public double commitIntervalS = 5;
  /** Seconds between progress lines on stderr. */
  public double progressIntervalS = 10;
  /** The models, in file order. */
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
    double u = Long.parseUnsignedLong(Sha256.hex(key).substring(0, 12), 16)
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
   * Reads {@code file} as a {@code type}, validates every model entry and resolves a relative
   * {@link #tokenizer} against the file's directory.
   *
   * @throws IllegalArgumentException for a missing file, invalid YAML, an unknown key, no models,
   *     duplicate names or an invalid model entry
   */
  protected static <T extends FanoutConfig> T read(Path file, Class<T> type) {
    ObjectMapper m = new ObjectMapper(new YAMLFactory())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    T c;
    try {
      c = m.readValue(Files.readString(file), type);
    } catch (IOException e) {
      // both files have always been reported as "teacher file"; the wording is kept as it was
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
