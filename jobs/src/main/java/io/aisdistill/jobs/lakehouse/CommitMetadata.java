package io.aisdistill.jobs.lakehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * The checkpoints that incremental stages keep as JSON in the user metadata of their Delta commits
 * ({@code commitInfo.userMetadata}; written with {@link Lakehouse#withUserMetadata}): the windows
 * stage's in track_state, generate's in qa_candidates, judge's in qa_judged.
 */
public final class CommitMetadata {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CommitMetadata() {}

  /**
   * {@code fields} as one JSON object.
   *
   * @throws IllegalStateException when a value cannot be serialized
   */
  public static String json(Map<String, ?> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * The JSON user metadata of the newest of the last {@code depth} commits of table {@code name}
   * that has some ({@link Lakehouse#lastUserMetadata}), or null when there is none, it is not a
   * JSON object, or it lacks one of {@code keys} (then the stage has no checkpoint and runs full).
   */
  public static JsonNode last(Lakehouse lh, String name, int depth, String... keys) {
    String m = lh.lastUserMetadata(name, depth);
    if (m == null) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(m);
      for (String k : keys) {
        if (n == null || !n.has(k)) {
          return null;
        }
      }
      return n;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
