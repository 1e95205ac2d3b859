package io.aisdistill.common.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed CSV header line: which field index holds each {@link CsvColumn} (the first column of a
 * name wins; unknown columns are ignored). A {@link ColumnMapping} ({@code ingest.columns}) names
 * columns first; the built-in names ({@link CsvColumn#forHeaderName}) fill the columns it leaves
 * and never take a field the mapping took.
 */
public final class CsvHeader {
  private final String line;
  private final List<String> names;
  private final int[] index = new int[CsvColumn.values().length];
  /** Per field, whether its name is mapped or a built-in name (even when another field won). */
  private final boolean[] known;

  private CsvHeader(String line, List<String> names, ColumnMapping mapping) {
    this.line = line;
    this.names = List.copyOf(names);
    this.known = new boolean[names.size()];
    Arrays.fill(index, -1);
    boolean[] taken = new boolean[names.size()];
    for (int i = 0; i < names.size(); i++) {
      CsvColumn c = mapping.columnFor(names.get(i));
      known[i] = c != null;
      if (c != null && index[c.ordinal()] < 0) {
        index[c.ordinal()] = i;
        taken[i] = true;
      }
    }
    for (int i = 0; i < names.size(); i++) {
      CsvColumn c = taken[i] ? null : CsvColumn.forHeaderName(names.get(i));
      known[i] |= c != null;
      if (c != null && index[c.ordinal()] < 0) {
        index[c.ordinal()] = i;
      }
    }
  }

  /**
   * Parses a header line with the built-in column names only; see {@link #parse(String,
   * ColumnMapping)}.
   */
  public static CsvHeader parse(String headerLine) {
    return parse(headerLine, ColumnMapping.NONE);
  }

  /**
   * Parses a header line (RFC 4180 quoting allowed; a UTF-8 BOM and a trailing CR are dropped).
   *
   * @param headerLine the file's first line
   * @param mapping the user's header mapping ({@link ColumnMapping#NONE} for none)
   */
  public static CsvHeader parse(String headerLine, ColumnMapping mapping) {
    String h = stripLine(headerLine);
    CsvSplitter sp = new CsvSplitter(Math.max(8, h.length() / 2 + 2));
    int n = sp.split(h);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < Math.min(n, sp.capacity()); i++) {
      names.add(sp.string(i).trim());
    }
    return new CsvHeader(h, names, mapping);
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
   * The header's field names that are neither mapped nor a built-in name, in order: the
   * candidates for {@code ingest.columns} when {@link #missing} is not empty.
   */
  public List<String> unmapped() {
    List<String> u = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (!known[i] && !names.get(i).isEmpty()) {
        u.add(names.get(i));
      }
    }
    return u;
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
