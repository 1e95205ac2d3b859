package io.aisdistill.common.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate stage's models file, read by its own type. */
class ModelsFileTest {
  @TempDir Path tmp;

  static final String MODELS = """
      tokenizer: tok
      tasks: 2
      models:
        - name: student
          role: student
          base_url: http://127.0.0.1:1/v1
          model: student
        - name: gpt-4o
          role: teacher
          model: gpt-4o-2024-08-06
          price_in_per_mtok: 2.5
      """;

  @Test
  void readsModelsAndFanOutSettings() throws IOException {
    Path f = tmp.resolve("models.yaml");
    Files.writeString(f, MODELS);
    ModelsFile m = ModelsFile.load(f);
    assertEquals(2, m.tasks);
    assertEquals(tmp.resolve("tok").toAbsolutePath().normalize().toString(), m.tokenizer);
    assertEquals(1, m.byRole(ModelSpec.Role.STUDENT).size());
    assertTrue(m.model("gpt-4o").evaluated() && !m.model("gpt-4o").called());
  }

  @Test
  void teacherFileKeysAreAcceptedAndIgnoredOtherUnknownKeysAreErrors() throws IOException {
    Path f = tmp.resolve("models.yaml");
    Files.writeString(f, "max_windows: 3\njudge_min_score: 5\n" + MODELS);
    assertEquals(2, ModelsFile.load(f).models.size());
    Files.writeString(f, "colour: blue\n" + MODELS);
    assertThrows(IllegalArgumentException.class, () -> ModelsFile.load(f));
    Files.writeString(f, "models: []\n");
    assertThrows(IllegalArgumentException.class, () -> ModelsFile.load(f));
  }
}
