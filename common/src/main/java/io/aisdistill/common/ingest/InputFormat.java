package io.aisdistill.common.ingest;

import java.util.Locale;

/**
 * The input formats ais-distill reads. Chosen by {@link FormatDetector} from a file's first bytes,
 * or forced by the user's {@code --format} flag through {@link #parse(String)}.
 */
public enum InputFormat {
  /**
   * NOAA/BOEM MarineCadastre CSV (marinecadastre.gov "AIS_yyyy_MM_dd.csv" of any year, including
   * the 2014 "Broadcast" table with ROT/VoyageID, and tracktable's {@code .points.csv}
   * flattening): one row per position, time column {@code BaseDateTime} in UTC.
   */
  MARINECADASTRE_CSV,
  /**
   * Danish Maritime Authority aisdk CSV (web.ais.dk): header {@code # Timestamp,Type of mobile,MMSI,
   * Latitude,Longitude,...}; time {@code dd/MM/yyyy HH:mm:ss} UTC; navigational status and ship type
   * as text.
   */
  DMA_CSV,
  /** Raw NMEA 0183 AIVDM/AIVDO sentences (IEC 61162-1), possibly with tag blocks or $PGHP lines. */
  NMEA,
  /**
   * AIS already decoded, one JSON object per line (JSON Lines / NDJSON): Global Fishing Watch
   * gpsdio messages ({@code ssvid}/{@code mmsi}, {@code timestamp}, {@code lat}, {@code lon},
   * {@code speed}, {@code course}, ...) or AISHub vessel objects ({@code MMSI}, {@code TIME},
   * {@code LATITUDE}, {@code LONGITUDE}, {@code SOG}, {@code COG}, ...); read with
   * {@link JsonLinesParser}.
   */
  JSON_LINES;

  /** True for the two CSV formats (read with {@link CsvPositionParser}). */
  public boolean isCsv() {
    return this == MARINECADASTRE_CSV || this == DMA_CSV;
  }

  /**
   * Parses a user's {@code --format} value, case-insensitive, ignoring {@code -}, {@code _} and
   * spaces: {@code marinecadastre} / {@code mc} / {@code noaa} / {@code marinecadastre_csv},
   * {@code dma} / {@code aisdk} / {@code dma_csv}, {@code nmea} / {@code aivdm},
   * {@code json} / {@code jsonl} / {@code json_lines} / {@code ndjson}.
   *
   * @throws IllegalArgumentException for null or an unknown name (the message lists the known ones)
   */
  public static InputFormat parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("input format is null; expected marinecadastre, dma, nmea or json");
    }
    String k = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
    switch (k) {
      case "marinecadastre":
      case "marinecadastrecsv":
      case "mc":
      case "noaa":
        return MARINECADASTRE_CSV;
      case "dma":
      case "dmacsv":
      case "aisdk":
        return DMA_CSV;
      case "nmea":
      case "aivdm":
        return NMEA;
      case "json":
      case "jsonl":
      case "jsonlines":
      case "ndjson":
        return JSON_LINES;
      default:
        throw new IllegalArgumentException(
            "unknown input format '" + s + "'; expected marinecadastre, dma, nmea or json");
    }
  }
}
