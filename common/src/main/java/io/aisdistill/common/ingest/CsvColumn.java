package io.aisdistill.common.ingest;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The CSV columns ais-distill reads, each recognised by header name (case-insensitive; spaces,
 * {@code _}, {@code -} and a leading {@code #} ignored) under the aliases and known misspellings of
 * NOAA MarineCadastre (2009-2024 layouts, e.g. {@code TranscieverClass}) and DMA aisdk headers.
 */
public enum CsvColumn {
  /** Maritime Mobile Service Identity. MarineCadastre {@code MMSI}, DMA {@code MMSI}. */
  MMSI("mmsi", "userid"),
  /** Report time, UTC. MarineCadastre {@code BaseDateTime}, DMA {@code # Timestamp}. */
  TIME("basedatetime", "basedatatime", "basedatetimeutc", "timestamp", "datetime", "time"),
  /** Latitude, WGS84 degrees. */
  LAT("lat", "latitude", "lattitude"),
  /** Longitude, WGS84 degrees. */
  LON("lon", "long", "lng", "longitude", "longtitude", "longditude"),
  /** Speed over ground, knots. */
  SOG("sog", "speedoverground"),
  /** Course over ground, degrees true. */
  COG("cog", "courseoverground"),
  /** True heading, whole degrees. */
  HEADING("heading", "trueheading", "hdg"),
  /** Navigational status: ITU code 0-15 (MarineCadastre) or text (DMA). */
  STATUS("status", "navigationalstatus", "navstatus", "navigationstatus"),
  /** Vessel name. */
  NAME("vesselname", "name", "shipname"),
  /** IMO number, possibly prefixed "IMO". */
  IMO("imo", "imonumber"),
  /** Radio call sign. */
  CALLSIGN("callsign"),
  /** Type of ship and cargo: ITU code (MarineCadastre {@code VesselType}) or text (DMA). */
  SHIP_TYPE("vesseltype", "shiptype", "shipandcargotype"),
  /** Length overall, metres. */
  LENGTH("length"),
  /** Beam, metres. */
  WIDTH("width", "beam"),
  /** Draught, metres. */
  DRAFT("draft", "draught"),
  /** Transceiver class: MarineCadastre {@code TransceiverClass} "A"/"B", DMA "Type of mobile". */
  CLASS("transceiverclass", "transcieverclass", "typeofmobile", "class");

  /** The columns a position file must have. */
  static final CsvColumn[] REQUIRED = {MMSI, TIME, LAT, LON};

  private static final Map<String, CsvColumn> BY_ALIAS = new HashMap<>();

  static {
    for (CsvColumn c : values()) {
      for (String a : c.aliases) {
        BY_ALIAS.put(a, c);
      }
    }
  }

  private final String[] aliases;

  CsvColumn(String... aliases) {
    this.aliases = aliases;
  }

  /** The column a header name stands for, or null for a column ais-distill ignores. */
  public static CsvColumn forHeaderName(String name) {
    return BY_ALIAS.get(normalize(name));
  }

  static String normalize(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != ' ' && c != '_' && c != '-' && c != '#' && c != '"' && c != '\uFEFF' && c != '\t') {
        b.append(c);
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
