package io.aisdistill.jobs.stage.export;

import io.aisdistill.jobs.stage.export.DatasetCard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dataset card's pure parts: copy detection, size categories, percentiles, sources and rendering. */
class DatasetCardTest {
  static final String PROMPT = """
      Vessel: MMSI 219000123; name NORDIC STAR; AIS ship type code 70; length 183 metres
      time | lat | lon | sog_kn | cog_deg | heading_deg | nav
      10:02:11 | 55.12345 | -12.34567 | 12.3 | 123 | 125 | 0
      Question: What was the speed at 10:02:11?""";

  @Test
  void copiesAreWholeCellsOrTokens() {
    for (String v : List.of("12.3", "123", "0", "219000123", "NORDIC STAR", "183", "55.12345", "10:02:11", "70", "NORDIC")) {
      assertTrue(DatasetCard.copied(PROMPT, v), v);
    }
    for (String v : List.of("12.34567", "12", "2.3", "10:02", "55.1", "STAR x", "", "  ", "1836")) {
      assertFalse(DatasetCard.copied(PROMPT, v), v);
    }
    assertFalse(DatasetCard.copied(null, "1"));
    assertFalse(DatasetCard.copied(PROMPT, null));
    assertTrue(DatasetCard.copied("the answer is 4.", "4"), "a sentence's full stop ends a value");
    assertFalse(DatasetCard.copied("the answer is 4.5", "4"));
  }

  @Test
  void sizeCategoriesAndPercentiles() {
    assertEquals("n<1K", DatasetCard.sizeCategory(0));
    assertEquals("n<1K", DatasetCard.sizeCategory(999));
    assertEquals("1K<n<10K", DatasetCard.sizeCategory(1000));
    assertEquals("10K<n<100K", DatasetCard.sizeCategory(56_224));
    assertEquals("1M<n<10M", DatasetCard.sizeCategory(2_000_000));
    List<Integer> v = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      v.add(i * 10);
    }
    assertEquals(50, DatasetCard.percentile(v, 0.5));
    assertEquals(100, DatasetCard.percentile(v, 0.99));
    assertEquals(100, DatasetCard.percentile(v, 1));
    assertEquals(10, DatasetCard.percentile(v, 0.01));
    assertEquals(0, DatasetCard.percentile(List.of(), 0.5));
  }

  @Test
  void sourcesByPath() {
    assertEquals(DatasetCard.Source.NOAA,
        DatasetCard.Source.of("file:/x/shared/data/ais/noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv"));
    assertEquals(DatasetCard.Source.NOAA, DatasetCard.Source.of("s3a://b/raw/AIS_2024_06_01.csv"));
    assertEquals(DatasetCard.Source.DMA, DatasetCard.Source.of("/d/dma_denmark/aislib_stream_example.nmea"));
    assertEquals(DatasetCard.Source.DMA, DatasetCard.Source.of("/raw/aisdk-2024-06-01.csv"));
    assertEquals(DatasetCard.Source.USCG, DatasetCard.Source.of("/d/uscg_nais/noaadata_test.ais"));
    assertEquals(DatasetCard.Source.SIMULATED, DatasetCard.Source.of("/repo/data-samples/simulated_marinecadastre.csv"));
    assertEquals(DatasetCard.Source.OTHER, DatasetCard.Source.of("/d/nmea_raw/gpsd_ais-nmea.log"));
    assertEquals("noaa_marinecadastre/a.csv", DatasetCard.shortName("file:/x/noaa_marinecadastre/a.csv"));
  }

  @Test
  void renderIsDeterministicAndCountsWhatItIsGiven() throws Exception {
    List<DatasetCard.Example> ex = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String split = i < 8 ? "train" : i == 8 ? "validation" : "test";
      ex.add(new DatasetCard.Example(split, "w" + (i % 4), i < 6 ? "kinematics" : "route", "kin.sog",
          "sog_mean_kn", i < 7 ? "12.0" : "3.5", i < 9 ? "grounded" : "llm-t", 100 + i, i == 0, i < 3,
          i % 2 == 0 ? "moving" : null));
    }
    Map<String, Object> manifest = Map.of("export_id", "abc", "prompt_version", "window-v1",
        "tokenizer", Map.of("name", "Qwen/Qwen2.5-7B-Instruct"),
        "counts", Map.of("accepted", 12L, "too_long", 2L, "splits", Map.of(
            "train", Map.of("vessels", 3L), "validation", Map.of("vessels", 1L), "test", Map.of("vessels", 1L))));
    DatasetCard.Context ctx = new DatasetCard.Context(manifest, 7, 3,
        List.of(new DatasetCard.SourceFile("dma_denmark/x.nmea", DatasetCard.Source.DMA, 2),
            new DatasetCard.SourceFile("noaa_marinecadastre/y.csv", DatasetCard.Source.NOAA, 3)),
        new ObjectMapper().readTree("{\"checked\": 10, \"agreement\": 0.9, \"by\": {\"kin\": 1}}"), null);
    String card = DatasetCard.render(ex, ctx);
    List<DatasetCard.Example> shuffled = new ArrayList<>(ex);
    Collections.reverse(shuffled);
    assertEquals(card, DatasetCard.render(shuffled, ctx), "row order does not matter");
    assertTrue(card.startsWith("---\npretty_name: "), card);
    assertTrue(card.contains("size_categories:\n- n<1K\n"));
    assertTrue(card.contains("| kinematics | 6 | 0 | 0 | 6 | 60.0 % |"), card);
    assertTrue(card.contains("| route | 2 | 1 | 1 | 4 | 40.0 % |"), card);
    assertTrue(card.contains("| **all** | 8 | 1 | 1 | 10 | 100.0 % |"), card);
    assertTrue(card.contains("| `kin.sog` | 10 | 2 | `12.0` (7), `3.5` (3) | 70.0 % |"), card);
    assertTrue(card.contains("| trivial | 1 | 10.0 % |"), card);
    assertTrue(card.contains("| copy | 3 | 30.0 % |"), card);
    assertTrue(card.contains("| `moving` | 2 | 5 | 50.0 % |"), card);   // windows w0, w2
    assertTrue(card.contains("| `grounded` | 9 | 90.0 % |"), card);
    assertTrue(card.contains("| all | 10 | 100 | 100 | 104 | 108 | 109 | 109 | 104.5 |"), card);
    assertTrue(card.contains("agreement 0.9000"), card);
    assertTrue(card.contains("| `by.kin` | 1 |"), card);
    assertTrue(card.contains("Contains data from the Danish Maritime Authority that is used in accordance with the "
        + "conditions for the use of Danish public data"), card);
    assertTrue(card.contains("MarineCadastre.gov, BOEM & NOAA"), card);
    String bare = DatasetCard.render(ex, new DatasetCard.Context(manifest, -1, -1, List.of(), null, null));
    assertTrue(bare.contains("## Verification\n\nNot run"), bare);
    assertTrue(bare.contains("## Strata\n\nNot recorded"), bare);
  }
}
