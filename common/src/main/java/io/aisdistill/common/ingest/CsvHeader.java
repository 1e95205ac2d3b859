package io.aisdistill.common.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed CSV header line: which field index holds each {@link CsvColumn} (the first column of a
 * name wins; unknown columns are ignored).
 */
public final class CsvHeader {
  private final String line;
  private final List<String> names;
  private final int[] index = new int[CsvColumn.values().length];

  private CsvHeader(String line, List<String> names) {
    this.line = line;
    this.names = List.copyOf(names);
    Arrays.fill(index, -1);
    for (int i = 0; i < names.size(); i++) {
      CsvColumn c = CsvColumn.forHeaderName(names.get(i));
      if (c != null && index[c.ordinal()] < 0) {
        index[c.ordinal()] = i;
      }
    }
  }

  /**
   * Parses a header line (RFC 4180 quoting allowed; a UTF-8 BOM and a trailing CR are dropped).
   */
  public static CsvHeader parse(String headerLine) {
    String h = stripLine(headerLine);
    CsvSplitter sp = new CsvSplitter(Math.max(8, h.length() / 2 + 2));
    int n = sp.split(h);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < Math.min(n, sp.capacity()); i++) {
      names.add(sp.string(i).trim());
    }
    return new CsvHeader(h, names);
  }

  /** The header line without BOM or CR. */
  public String line() {
    return line;
  }

  /** Number of fields in the header. */
  public int size() {
    return names.size();
  }

  /** The header's field names, in order. */
  public List<String> names() {
    return names;
  }

  /** Field index of {@code c}, or -1 when the header lacks it. */
  public int indexOf(CsvColumn c) {
    return index[c.ordinal()];
  }

  /** The required columns (MMSI, time, latitude, longitude) this header lacks; empty when none. */
  public List<CsvColumn> missing() {
    List<CsvColumn> m = new ArrayList<>();
    for (CsvColumn c : CsvColumn.REQUIRED) {
      if (indexOf(c) < 0) {
        m.add(c);
      }
    }
    return m;
  }

  /**
   * The CSV flavour of this header: {@link InputFormat#DMA_CSV} for the DMA aisdk header (first
   * field {@code # Timestamp}, or a {@code Type of mobile} column), else
   * {@link InputFormat#MARINECADASTRE_CSV}.
   */
  public InputFormat flavour() {
    boolean dma = (!names.isEmpty() && names.get(0).startsWith("#")
            && CsvColumn.forHeaderName(names.get(0)) == CsvColumn.TIME)
        || names.stream().anyMatch(n -> CsvColumn.normalize(n).equals("typeofmobile"));
    return dma ? InputFormat.DMA_CSV : InputFormat.MARINECADASTRE_CSV;
  }

  static String stripLine(String s) {
    int from = !s.isEmpty() && s.charAt(0) == '\uFEFF' ? 1 : 0;
    int to = s.length();
    if (to > from && s.charAt(to - 1) == '\r') {
      to--;
    }
    return s.substring(from, to);
  }
}
