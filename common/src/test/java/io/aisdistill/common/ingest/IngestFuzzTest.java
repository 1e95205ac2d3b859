package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.SharedData;
import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.Plausibility;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.StaticReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fuzz test of the ingest read path (issue 13): the real samples of shared/data/ais, mutated with a
 * fixed seed (bytes flipped, lines cut, fields swapped, encodings changed, NUL bytes inserted,
 * hostile numbers and times written into fields), 3,000 cases, each read the way the ingest stage
 * reads a file: encoding detection, format detection, line decoding, the format's parser behind the
 * plausibility guard. For every case:
 * <ul>
 *   <li>no exception escapes;</li>
 *   <li>the accounting holds: every line is exactly one position, static report, reject or skipped
 *       line (multi-sentence NMEA messages consume their fragments);</li>
 *   <li>every accepted record is inside the plausibility rules, checked here with plain range
 *       tests written independently of {@link Plausibility}.</li>
 * </ul>
 */
@Tag("shared-data")
class IngestFuzzTest {
  private static final int CASES = 3000;
  private static final int SEED_BYTES = 12 * 1024;
  private static final long MIN_TS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
  private static final String[] HOSTILE = {"1e9", "-1", "-0.0", "0x1p4", "NaN", "Infinity", "102.25", "102.2",
      "400", "600", "511", "360", "91", "181", "-0", "1.7976931348623157E309", "2099-01-01T00:00:00",
      "1970-01-01T00:00:00", "01/03/2022 01:00:00", "", "\"", "\u00e9\u00e9", "999999999999999999999",
      "A".repeat(300)};

  /** A real sample cut to at most {@link #SEED_BYTES} at a line end. */
  private record Seed(String name, byte[] bytes) {}

  private static List<Seed> seeds() throws IOException {
    List<Seed> out = new ArrayList<>();
    for (String rel : List.of("noaa_marinecadastre/AIS_2022_01_03_first99999rows.csv",
        "noaa_marinecadastre/aisdb_test_data_noaa_20230101.csv",
        "noaa_marinecadastre/trajectools_ais_boston_2014-01-01_to_07.csv",
        "noaa_marinecadastre/metabase_small-sample.csv",
        "dma_denmark/trajectools_ais_dk_cpa_2017-07-05.csv",
        "noaa_tracktable_traj/NYHarbor_2020_12_08.points.csv",
        "nmea_raw/gpsd_sample.aivdm", "nmea_raw/aisdb_test_data_20211101.nm4",
        "nmea_raw/pyais_nmea_data_sample.txt", "nmea_raw/ggencoder_AisHubSample.nmea",
        "dma_denmark/aislib_stream_example.nmea", "uscg_nais/noaadata_test.ais",
        "uscg_nais/aisdb_test_data_201201.nmea")) {
      byte[] b = Files.readAllBytes(SharedData.ais(rel));
      int end = Math.min(b.length, SEED_BYTES);
      while (end < b.length && end > 0 && b[end - 1] != '\n') {
        end--;
      }
      out.add(new Seed(rel.substring(rel.lastIndexOf('/') + 1), Arrays.copyOf(b, end)));
    }
    out.add(new Seed("gpsdio.json", gpsdio(out.get(0).bytes())));
    return out;
  }

  /** The first MarineCadastre rows as gpsdio JSON lines (GFW's layout), a JSON-lines seed. */
  private static byte[] gpsdio(byte[] csv) {
    StringBuilder b = new StringBuilder();
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n");
    for (int i = 1; i < Math.min(lines.length, 80); i++) {
      String[] f = lines[i].split(",", -1);
      b.append("{\"ssvid\": ").append(f[0]).append(", \"timestamp\": \"").append(f[1]).append("Z\", \"lat\": ")
          .append(f[2]).append(", \"lon\": ").append(f[3]).append(", \"speed\": ").append(f[4])
          .append(", \"course\": ").append(f[5]).append(", \"heading\": ").append(f[6]).append("}\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void mutatedRealSamplesNeverCrashLoseLinesOrLetImplausibleValuesIn() throws IOException {
    List<Seed> seeds = seeds();
    Random r = new Random(20261130L);
    long now = System.currentTimeMillis();
    Plausibility rules = Plausibility.defaults(Instant.ofEpochMilli(now));
    Map<String, Integer> outcomes = new TreeMap<>();
    long positions = 0;
    long lines = 0;
    for (int c = 0; c < CASES; c++) {
      Seed seed = seeds.get(r.nextInt(seeds.size()));
      byte[] data = seed.bytes();
      int mutations = 1 + r.nextInt(3);
      StringBuilder how = new StringBuilder();
      for (int m = 0; m < mutations; m++) {
        int op = r.nextInt(8);
        how.append(op);
        data = mutate(op, data, r);
      }
      String label = "case " + c + " (" + seed.name() + ", mutations " + how + ")";
      CollectingSink sink = new CollectingSink();
      int n;
      try {
        n = readLikeTheStage(seed.name(), data, rules, sink, outcomes);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(label + ": " + e, e);
      }
      if (n < 0) {
        continue;   // a whole-file reject: one reject row, no lines
      }
      try {
        sink.assertAccounting(n);
      } catch (AssertionError e) {
        throw new AssertionError(label + ": " + e.getMessage(), e);
      }
      lines += n;
      positions += sink.positions.size();
      for (PositionReport p : sink.positions) {
        String bad = outsideRules(p, now);
        assertTrue(bad == null, label + ": accepted " + bad + ": " + p);
      }
      for (StaticReport s : sink.statics) {
        assertTrue(s.tsMillis() == null || (s.tsMillis() >= MIN_TS && s.tsMillis() <= now + 86_400_000L),
            label + ": static time " + s);
        assertTrue(len(s.vesselName()) <= 64 && len(s.callsign()) <= 16 && len(s.destination()) <= 64,
            label + ": static text " + s);
      }
    }
    System.out.printf("IngestFuzzTest: %d cases, %d lines, %d positions accepted; detected formats %s%n",
        CASES, lines, positions, outcomes);
    assertTrue(positions > 10_000, "the mutations leave most rows readable: " + positions);
    assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
  }

  /** Why {@code p} breaks a rule, or null; plain range checks, not Plausibility's code. */
  private static String outsideRules(PositionReport p, long now) {
    if (p.mmsi() < 200_000_000L || p.mmsi() > 799_999_999L) {
      return "MMSI";
    }
    if (p.tsMillis() < MIN_TS || p.tsMillis() > now + 86_400_000L) {
      return "time";
    }
    if (!(p.lat() >= -90 && p.lat() <= 90) || !(p.lon() >= -180 && p.lon() <= 180)) {
      return "position";
    }
    for (Double v : new Double[] {p.lat(), p.lon(), p.sog(), p.cog()}) {
      if (v != null && Double.doubleToRawLongBits(v) == Long.MIN_VALUE) {
        return "-0.0";
      }
    }
    if (p.sog() != null && !(p.sog() >= 0 && p.sog() <= 102.2)) {
      return "SOG";
    }
    if (p.cog() != null && !(p.cog() >= 0 && p.cog() < 360)) {
      return "COG";
    }
    if (p.heading() != null && (p.heading() < 0 || p.heading() > 359)) {
      return "heading";
    }
    if (p.navStatus() != null && (p.navStatus() < 0 || p.navStatus() > 15)) {
      return "nav status";
    }
    if (p.shipType() != null && (p.shipType() < 1 || p.shipType() > 99)) {
      return "ship type";
    }
    if (len(p.vesselName()) > 64 || len(p.callsign()) > 16) {
      return "text length";
    }
    for (Double d : new Double[] {p.lengthM(), p.widthM(), p.draftM()}) {
      if (d != null && !(d > 0 && Double.isFinite(d))) {
        return "dimension";
      }
    }
    return null;
  }

  private static int len(String s) {
    return s == null ? 0 : s.length();
  }

  /**
   * Reads {@code data} as the ingest stage reads one file: encoding and format from the head, then
   * every line (LF, CR or CRLF ends a line, as Hadoop's LineReader) decoded and parsed behind the
   * guard. Returns the number of lines, or -1 for a whole-file reject.
   */
  private static int readLikeTheStage(String name, byte[] data, Plausibility rules, CollectingSink sink,
      Map<String, Integer> outcomes) {
    int headLen = Math.min(data.length, 64 * 1024);
    var cs = TextEncoding.of(null, data, headLen, headLen == data.length);
    Detection d = FormatDetector.detect(name, data, headLen, cs, ColumnMapping.NONE);
    outcomes.merge(d.format() == null ? "rejected " + d.reason() : d.format().name(), 1, Integer::sum);
    if (d.format() == null) {
      return -1;
    }
    List<int[]> bounds = lineBounds(data);
    TextEncoding.LineDecoder decoder = new TextEncoding.LineDecoder(cs, true);
    String header = bounds.isEmpty() ? "" : decoder.decode(Arrays.copyOfRange(data, bounds.get(0)[0],
        bounds.get(0)[1]), bounds.get(0)[1] - bounds.get(0)[0], sink);
    if (header.startsWith("\uFEFF")) {
      header = header.substring(1);
    }
    LineParser parser = rules.guard(switch (d.format()) {
      case NMEA -> new NmeaLineParser(name);
      case JSON_LINES -> new JsonLinesParser(name);
      default -> new CsvPositionParser(name, header, d.format());
    });
    for (int[] b : bounds) {
      byte[] line = Arrays.copyOfRange(data, b[0], b[1]);
      parser.line(b[0], decoder.decode(line, line.length, sink), sink);
    }
    parser.finish(sink);
    return bounds.size();
  }

  /** [start, end) of every line, terminators excluded. */
  private static List<int[]> lineBounds(byte[] b) {
    List<int[]> out = new ArrayList<>();
    int s = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n' || b[i] == '\r') {
        out.add(new int[] {s, i});
        if (b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n') {
          i++;
        }
        s = i + 1;
      }
    }
    if (s < b.length) {
      out.add(new int[] {s, b.length});
    }
    return out;
  }

  private static byte[] mutate(int op, byte[] in, Random r) {
    if (in.length == 0) {
      return in;
    }
    byte[] b = in.clone();
    switch (op) {
      case 0 -> { // flip bytes
        for (int k = 1 + r.nextInt(8); k > 0; k--) {
          b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return b;
      }
      case 1 -> { // insert NUL bytes
        ByteArrayOutputStream o = new ByteArrayOutputStream(b.length + 8);
        int at = r.nextInt(b.length);
        o.write(b, 0, at);
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
          o.write(0);
        }
        o.write(b, at, b.length - at);
        return o.toByteArray();
      }
      case 2 -> { // cut: truncate, or drop a range
        int at = r.nextInt(b.length);
        if (r.nextBoolean()) {
          return Arrays.copyOf(b, at);
        }
        int to = Math.min(b.length, at + 1 + r.nextInt(200));
        ByteArrayOutputStream o = new ByteArrayOutputStream(b.length);
        o.write(b, 0, at);
        o.write(b, to, b.length - to);
        return o.toByteArray();
      }
      case 3 -> { // swap two fields of some lines
        return editLines(b, r, f -> {
          int i = r.nextInt(f.length);
          int j = r.nextInt(f.length);
          String t = f[i];
          f[i] = f[j];
          f[j] = t;
        });
      }
      case 4 -> { // hostile value in a field of some lines
        return editLines(b, r, f -> f[r.nextInt(f.length)] = HOSTILE[r.nextInt(HOSTILE.length)]);
      }
      case 5 -> { // change the encoding: Windows-1252 with accented names, or UTF-16
        String text = new String(b, StandardCharsets.UTF_8);
        if (r.nextInt(4) == 0) {
          return text.getBytes(StandardCharsets.UTF_16LE);
        }
        return text.replace("A", "\u00c5").replace("O", "\u00d8").getBytes(TextEncoding.WINDOWS_1252);
      }
      case 6 -> { // CRLF or CR line ends, or a BOM
        String text = new String(b, StandardCharsets.ISO_8859_1);
        return switch (r.nextInt(3)) {
          case 0 -> text.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
          case 1 -> text.replace("\n", "\r").getBytes(StandardCharsets.ISO_8859_1);
          default -> ("\uFEFF" + new String(b, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        };
      }
      default -> { // duplicate and shuffle some lines
        List<String> ls = new ArrayList<>(List.of(new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)));
        for (int k = 1 + r.nextInt(5); k > 0 && ls.size() > 1; k--) {
          int i = 1 + r.nextInt(ls.size() - 1);
          ls.add(1 + r.nextInt(ls.size() - 1), ls.get(i));
        }
        return String.join("\n", ls).getBytes(StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** Applies {@code edit} to the comma-separated fields of up to 10 random lines (not the first). */
  private static byte[] editLines(byte[] b, Random r, java.util.function.Consumer<String[]> edit) {
    String[] ls = new String(b, StandardCharsets.UTF_8).split("\n", -1);
    if (ls.length < 2) {
      return b;
    }
    for (int k = 1 + r.nextInt(10); k > 0; k--) {
      int i = 1 + r.nextInt(ls.length - 1);
      String[] f = ls[i].split(",", -1);
      edit.accept(f);
      ls[i] = String.join(",", f);
    }
    return String.join("\n", ls).getBytes(StandardCharsets.UTF_8);
  }
}
