package io.aisdistill.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PipelineConfig#load}: the shipped YAML equals the defaults; nested and conf overrides. */
class PipelineConfigTest {
  private static final Path SHIPPED = Path.of(System.getProperty("user.dir")).getParent()
      .resolve("conf/ais-distill.yaml");

  @Test
  void shippedFileHoldsTheDefaults() throws Exception {
    var m = new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(m.writeValueAsString(new PipelineConfig()),
        m.writeValueAsString(PipelineConfig.load(SHIPPED, List.of())));
  }

  @Test
  void nestedKeysAndSparkPropertiesOverride() {
    PipelineConfig c = PipelineConfig.load(SHIPPED, List.of(
        "ingest.nmea.strict_tag_block_checksum=true",
        "ingest.columns.mmsi=ship_id",
        "llm.max_failed_share=0.25",
        "spark.conf.spark.executor.memory=4g",
        "windows.max_gap_s=900"));
    assertTrue(c.ingest.nmea.strictTagBlockChecksum);
    assertEquals("ship_id", c.ingest.columns.get("mmsi"));
    assertEquals(0.25, c.llm.maxFailedShare);
    assertEquals("4g", c.spark.conf.get("spark.executor.memory"));
    assertEquals(900, c.windows.maxGapS);
  }

  @Test
  void unknownNestedKeyIsAnError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PipelineConfig.load(null, List.of("ingest.nmea.strict=true")));
    assertTrue(e.getMessage().contains("strict"), e.getMessage());
  }
}
