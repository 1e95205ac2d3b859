package io.aisdistill.common.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grounded teacher as a member of a teacher file ({@code kind: grounded}). */
class TeacherMixConfigTest {
  @TempDir Path tmp;

  TeacherConfig load(String models) throws IOException {
    Path f = tmp.resolve("t.yaml");
    Files.writeString(f, "models:\n" + models);
    return TeacherConfig.load(f);
  }

  static final String LLM = """
        - name: gpt
          base_url: http://127.0.0.1:1/v1
          model: m
          share: 0.6
      """;

  @Test
  void groundedEntryIsAnOfflineGenerateTeacherNamedGrounded() throws IOException {
    TeacherConfig tc = load(LLM + """
        - kind: grounded
          share: 0.4
          categories: [anomaly]
      """);
    ModelSpec g = tc.model("grounded");
    assertTrue(g.grounded() && !g.called());
    assertEquals(List.of("anomaly"), g.categories);
    assertEquals(2, tc.byRole(ModelSpec.Role.GENERATE).size());
    assertFalse(tc.model("gpt").grounded());
  }

  @Test
  void groundedEntryErrors() {
    assertThrows(IllegalArgumentException.class, () -> load("  - kind: grounded\n    name: offline\n"), "other name");
    assertThrows(IllegalArgumentException.class,
        () -> load("  - kind: grounded\n    base_url: http://127.0.0.1:1/v1\n"), "called");
    assertThrows(IllegalArgumentException.class, () -> load("  - kind: grounded\n    role: judge\n"), "judge");
    assertThrows(IllegalArgumentException.class, () -> load("  - kind: magic\n    name: x\n    model: m\n"
        + "    base_url: http://127.0.0.1:1/v1\n"), "unknown kind");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("  - name: grounded\n"
        + "    model: m\n"));
    assertTrue(e.getMessage().contains("kind: grounded"), e.getMessage());
  }
}
