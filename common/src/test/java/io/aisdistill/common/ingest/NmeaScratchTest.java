package io.aisdistill.common.ingest;
import io.aisdistill.common.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import java.util.*;
import java.util.stream.*;
@Tag("shared-data")
class NmeaScratchTest {
  @Test void dump() throws Exception {
    for (String f : List.of("dma_denmark/aislib_stream_example.nmea","nmea_raw/aisdb_test_data_20211101.nm4","nmea_raw/ggencoder_AisHubSample.nmea","nmea_raw/gpsd_ais-nmea-type6-fid55.log","nmea_raw/gpsd_ais-nmea.log","nmea_raw/gpsd_sample.aivdm","nmea_raw/pyais_nmea_data_sample.txt","nmea_raw/pyais_timestamped.ais","uscg_nais/aisdb_test_data_201201.nmea","uscg_nais/noaadata_test.ais")) {
      CollectingSink s = new CollectingSink();
      int n = CollectingSink.feed(new NmeaLineParser(f), s, SharedData.ais(f));
      System.out.println("== " + f + " lines=" + n + " pos=" + s.positions.size() + " static=" + s.statics.size() + " skipped=" + s.skipped
        + " rejects=" + s.rejects.stream().collect(Collectors.groupingBy(r -> r.reason(), TreeMap::new, Collectors.counting())));
      s.rejects.stream().filter(r -> !Set.of("UNSUPPORTED_MSG_TYPE","NON_VESSEL_MMSI","NO_TIMESTAMP").contains(r.reason().name())).limit(8).forEach(r -> System.out.println("   " + r.reason() + " " + r.detail() + " | " + r.raw()));
      System.out.println("   years=" + s.positions.stream().map(p -> java.time.Instant.ofEpochMilli(p.tsMillis()).toString().substring(0,4)).collect(Collectors.groupingBy(x->x, Collectors.counting())));
      s.assertAccounting(n);
    }
  }
}
