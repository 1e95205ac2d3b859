package io.aisdistill.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {
  private final CostModel costs = EvalFixtures.costs();
  private final List<SummaryRow> rows = EvalSummary.summarize(EvalFixtures.items(), costs);

  @Test
  void writesAllFilesAndNumbersEqualInputs(@TempDir Path dir) throws Exception {
    List<Path> files = EvalReport.write(rows, costs, dir);
    assertEquals(List.of(EvalReport.REPORT_MD, EvalReport.SUMMARY_JSON, EvalReport.EXAMPLES_JSON,
        EvalReport.ACCURACY_PNG, EvalReport.COST_PNG, EvalReport.SCATTER_PNG), files.stream().map(p -> p.getFileName().toString()).toList());
    String md = Files.readString(dir.resolve(EvalReport.REPORT_MD));

    // hand-computed: student kinematics 3/4 -> 75.0 %, Wilson [30.06, 95.44]; gpt-4o 3.0 USD / 1k,
    // student 1000 x 0.80 / (3600 x 2) = 0.1111 USD / 1k; ratio 27.0
    assertTrue(md.contains("| kinematics | 75.0 % [30.1, 95.4] (3/4) | 25.0 % [4.6, 69.9] (1/4) | 100.0 % [51.0, 100.0] (4/4) |"), md);
    assertTrue(md.contains("| behaviour | 50.0 % [9.5, 90.5] (1/2) | - | 100.0 % [34.2, 100.0] (2/2) |"), md);
    assertTrue(md.contains("| gpt-4o | student | 100.0 % | 66.7 % | 3.00 | 0.1111 | 27.0 |"), md);
    assertTrue(md.contains("`student` reaches 66.7 % accuracy at 1/27.0 of `gpt-4o`'s inference cost (100.0 %)."), md);
    assertTrue(md.contains("| student | student | self-hosted | 7 | 1000.0 | 50.0 | 200.0 | 370.0 | 0.1111 |"), md);
    assertTrue(md.contains("| gpt-4o | api | 2.5 | 10 | - | - | - |"), md);
    assertTrue(md.contains("| gpt-4o | teacher | api | 6 | 1000.0 | 50.0 | 200.0 | 375.0 | 3.00 |"), md);
    assertTrue(md.contains("| student | self-hosted | - | - | 1x NVIDIA L4 | 0.8 | 2 |"), md);
    assertTrue(md.contains("- vLLM, batch concurrency 32"), md);
    assertTrue(md.contains("![Accuracy by category](accuracy_by_category.png)"), md);

    // every accuracy cell of the table equals its row
    int cells = 0;
    Matcher m = Pattern.compile("(?m)^\\| (\\w+) \\|(.*)\\|$").matcher(
        md.substring(md.indexOf("## Accuracy per category"), md.indexOf("## Cost per 1,000")));
    List<String> models = List.of("student", "base", "gpt-4o");
    while (m.find()) {
      if (m.group(1).equals("category")) {
        continue; // header
      }
      String[] parts = m.group(2).split("\\|");
      for (int i = 0; i < models.size(); i++) {
        SummaryRow r = row(models.get(i), m.group(1));
        String cell = parts[i].strip();
        if (r == null) {
          assertEquals("-", cell);
          continue;
        }
        assertEquals(String.format(java.util.Locale.ROOT, "%.1f %% [%.1f, %.1f] (%d/%d)", 100 * r.accuracy(),
            100 * r.ciLow(), 100 * r.ciHigh(), r.correct(), r.scored()), cell);
        cells++;
      }
    }
    assertEquals(rows.size(), cells);

    // summary.json holds exactly the rows, snake_case
    assertEquals(rows, EvalReport.readSummary(dir.resolve(EvalReport.SUMMARY_JSON)));
    JsonNode json = new ObjectMapper().readTree(dir.resolve(EvalReport.SUMMARY_JSON).toFile());
    assertEquals(rows.size(), json.size());
    assertEquals(0.75, json.get(0).get("accuracy").asDouble(), 1e-12);
    assertEquals(3.0, json.get(7).get("usd_per_1k_queries").asDouble(), 1e-12);
    assertTrue(json.get(0).has("latency_p95_ms"), json.get(0).toString());
  }

  @Test
  void chartsAreValidPngsOfTheExpectedSize(@TempDir Path dir) throws Exception {
    EvalReport.write(rows, costs, dir);
    for (String name : List.of(EvalReport.ACCURACY_PNG, EvalReport.COST_PNG, EvalReport.SCATTER_PNG)) {
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4), name);
      BufferedImage img = ImageIO.read(dir.resolve(name).toFile());
      assertNotNull(img, name);
      assertEquals(EvalReport.WIDTH, img.getWidth(), name);
      assertEquals(EvalReport.HEIGHT, img.getHeight(), name);
      assertTrue(distinctColours(img) > 5, name + " looks blank");
    }
    // keep a copy for a human look (target/ is build output)
    Path sample = Path.of("target", "eval-report-sample");
    EvalReport.write(rows, costs, sample);
  }

  @Test
  void deterministic(@TempDir Path a, @TempDir Path b) throws Exception {
    EvalReport.write(rows, costs, a);
    EvalReport.write(EvalSummary.summarize(new ArrayList<>(EvalFixtures.items()), EvalFixtures.costs()), costs, b);
    for (String name : List.of(EvalReport.REPORT_MD, EvalReport.SUMMARY_JSON, EvalReport.EXAMPLES_JSON,
        EvalReport.ACCURACY_PNG, EvalReport.COST_PNG, EvalReport.SCATTER_PNG)) {
      assertArrayEquals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)), name);
    }
  }

  @Test
  void edgeCases(@TempDir Path dir) throws Exception {
    // no priced model, unscored-only rows: still writes valid files
    CostModel unpriced = new CostModel(List.of(new EvaluatedModel("s", EvaluatedModel.Role.STUDENT, null)), List.of());
    List<SummaryRow> r = EvalSummary.summarize(List.of(new EvalItem("s", "route", null, 5, 1, 1)), unpriced);
    EvalReport.write(r, unpriced, dir);
    String md = Files.readString(dir.resolve(EvalReport.REPORT_MD));
    assertTrue(md.contains("| route | - (0 scored) |"), md);
    assertTrue(md.contains("No teacher/student pair with results."), md);
    assertEquals(EvalReport.WIDTH, ImageIO.read(dir.resolve(EvalReport.SCATTER_PNG).toFile()).getWidth());
    assertThrows(IllegalArgumentException.class, () -> EvalReport.write(rows, unpriced, dir));
  }

  private SummaryRow row(String model, String cat) {
    return rows.stream().filter(r -> r.model().equals(model) && r.category().equals(cat)).findFirst().orElse(null);
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> s = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        s.add(img.getRGB(x, y));
      }
    }
    return s.size();
  }
}
