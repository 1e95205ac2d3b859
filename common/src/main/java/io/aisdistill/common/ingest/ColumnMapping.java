package io.aisdistill.common.ingest;

import java.io.Serializable;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The user's CSV header mapping ({@code ingest.columns}, {@code --columns}): canonical column
 * ({@link CsvColumn} name, case-insensitive: {@code mmsi}, {@code time}, {@code lat}, {@code lon},
 * {@code sog}, {@code cog}, {@code heading}, {@code status}, {@code name}, {@code imo},
 * {@code callsign}, {@code ship_type}, {@code length}, {@code width}, {@code draft},
 * {@code class}) to the name of that column in a file's header.
 *
 * <p>Header names are compared as {@link CsvColumn#forHeaderName} compares them: case-insensitive,
 * spaces, {@code _}, {@code -}, {@code #} and quotes ignored. A mapped header name takes the column
 * before the built-in names do; a file whose header lacks the mapped name uses the built-in names
 * for that column, so one mapping serves a run of mixed files.
 */
public final class ColumnMapping implements Serializable {
  private static final long serialVersionUID = 1L;

  /** No mapping: the built-in names only. */
  public static final ColumnMapping NONE = new ColumnMapping(new EnumMap<>(CsvColumn.class));

  /** Normalized header name by column. */
  private final EnumMap<CsvColumn, String> byColumn;
  /** Column by normalized header name. */
  private final Map<String, CsvColumn> byName = new HashMap<>();

  private ColumnMapping(EnumMap<CsvColumn, String> byColumn) {
    this.byColumn = byColumn;
    byColumn.forEach((c, n) -> byName.put(n, c));
  }

  /**
   * Parses the configured mapping.
   *
   * @param canonicalToHeader canonical column name to header name; null or empty for {@link #NONE}
   * @return the mapping
   * @throws IllegalArgumentException for an unknown canonical name (the message lists the known
   *     ones), a blank header name, or two columns mapped to the same header name
   */
  public static ColumnMapping of(Map<String, String> canonicalToHeader) {
    if (canonicalToHeader == null || canonicalToHeader.isEmpty()) {
      return NONE;
    }
    EnumMap<CsvColumn, String> m = new EnumMap<>(CsvColumn.class);
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, String> e : canonicalToHeader.entrySet()) {
      CsvColumn c = canonical(e.getKey());
      String header = e.getValue() == null ? "" : CsvColumn.normalize(e.getValue().trim());
      if (header.isEmpty()) {
        throw new IllegalArgumentException("ingest.columns." + e.getKey()
            + ": the header name is empty; expected the name of the " + e.getKey()
            + " column in the file's header, e.g. --columns mmsi=ship_id");
      }
      String other = seen.put(header, e.getKey());
      if (other != null) {
        throw new IllegalArgumentException("ingest.columns maps both " + other + " and " + e.getKey()
            + " to the header name '" + e.getValue() + "'");
      }
      if (m.put(c, header) != null) {
        throw new IllegalArgumentException("ingest.columns names the column " + name(c) + " twice");
      }
    }
    return new ColumnMapping(m);
  }

  /**
   * The column a canonical name stands for.
   *
   * @throws IllegalArgumentException for a name that is not a {@link CsvColumn} (listing them)
   */
  static CsvColumn canonical(String key) {
    String k = key == null ? "" : key.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (CsvColumn c : CsvColumn.values()) {
      if (c.name().equals(k)) {
        return c;
      }
    }
    throw new IllegalArgumentException("ingest.columns: unknown column '" + key + "'; the columns are "
        + Arrays.stream(CsvColumn.values()).map(ColumnMapping::name).collect(Collectors.joining(", ")));
  }

  /** The canonical (configuration) name of a column, lower-case: {@code mmsi}, {@code ship_type}. */
  public static String name(CsvColumn c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  /** The column the mapping gives to a header name, or null when it names none. */
  public CsvColumn columnFor(String headerName) {
    return byName.isEmpty() ? null : byName.get(CsvColumn.normalize(headerName));
  }

  /** True for no mapping. */
  public boolean isEmpty() {
    return byColumn.isEmpty();
  }

  @Override
  public String toString() {
    return byColumn.entrySet().stream().map(e -> name(e.getKey()) + "=" + e.getValue())
        .collect(Collectors.joining(",", "{", "}"));
  }
}
