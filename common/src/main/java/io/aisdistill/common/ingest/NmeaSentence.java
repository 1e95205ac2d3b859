package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.RejectReason;
import java.util.List;
import java.util.Map;

/**
 * The framing of one NMEA 0183 / IEC 61162-1 sentence line: optional tag block, start delimiter
 * ({@code !} encapsulation or {@code $} parametric), comma-separated fields (the first is the
 * address: 2-letter talker + 3-letter formatter, or a proprietary {@code P...} address), the
 * {@code *hh} checksum, and whatever trails the checksum (USCG NAIS receiver/time fields).
 *
 * @param tags the tag-block parameters ({@code s}, {@code c}, {@code t}, ...), empty when none
 * @param delimiter {@code '!'} or {@code '$'}
 * @param fields the fields between the delimiter and the {@code *}; {@code fields.get(0)} is the address
 * @param trailer the text after {@code *hh} (without the leading comma), empty when none
 * @param tagBlockChecksumBad true when the tag block's {@code *hh} did not match its contents and
 *     the sentence was read anyway (lenient parsing, see {@link #parse(String, boolean)})
 */
record NmeaSentence(Map<String, String> tags, char delimiter, List<String> fields, String trailer,
    boolean tagBlockChecksumBad) {

  /** The address field, e.g. {@code AIVDM}, {@code GPRMC}, {@code PGHP}. */
  String address() {
    return fields.get(0);
  }

  /**
   * The 3-letter formatter of a standard (non-proprietary) 5-letter address, e.g. {@code VDM} for
   * {@code BSVDM}; the whole address for proprietary ({@code P...}) or odd-length addresses.
   */
  String formatter() {
    String a = address();
    return a.length() == 5 && a.charAt(0) != 'P' ? a.substring(2) : a;
  }

  /** True for AIS VHF data-link messages: {@code !xxVDM} (other ships) or {@code !xxVDO} (own ship). */
  boolean isVdm() {
    String f = formatter();
    return delimiter == '!' && address().length() == 5 && (f.equals("VDM") || f.equals("VDO"));
  }

  /**
   * Parses the framing of {@code text} (a line already stripped of its terminator and surrounding
   * whitespace) and verifies the checksums.
   *
   * <p>Some national AIS feeds write NMEA 4.0 tag blocks with a placeholder checksum
   * ({@code \c:1420030798*00\!ABVDM,...}) while the sentence's own checksum is right. With
   * {@code strictTagBlockChecksum} false such a line is read (its tag-block parameters, time
   * included, are used) and {@link #tagBlockChecksumBad} is true; with it true the line is rejected.
   *
   * @param strictTagBlockChecksum true to reject a tag block whose checksum does not match
   * @throws RecordRejection {@link RejectReason#UNPARSEABLE} when the line is not framed as a
   *     sentence (no {@code !}/{@code $}, no {@code *hh}, unterminated tag block, a checksum that is
   *     not 2 hex digits); {@link RejectReason#BAD_CHECKSUM} when the sentence checksum does not
   *     match, or the tag-block checksum does not match and {@code strictTagBlockChecksum} is true
   *     (IEC 61162-1 §7.3.1: XOR of every character between the delimiter and {@code *})
   */
  static NmeaSentence parse(String text, boolean strictTagBlockChecksum) throws RecordRejection {
    Map<String, String> tags = Map.of();
    boolean tagBad = false;
    String s = text;
    if (s.startsWith("\\")) {
      int end = s.indexOf('\\', 1);
      if (end < 0) {
        throw new RecordRejection(RejectReason.UNPARSEABLE, "unterminated tag block");
      }
      String block = s.substring(1, end);
      try {
        tags = parseTagBlock(block, true);
      } catch (RecordRejection r) {
        if (strictTagBlockChecksum || r.reason != RejectReason.BAD_CHECKSUM) {
          throw r;
        }
        tags = parseTagBlock(block, false);
        tagBad = true;
      }
      s = s.substring(end + 1);
    }
    if (s.isEmpty() || (s.charAt(0) != '!' && s.charAt(0) != '$')) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, "not an NMEA sentence (no '!' or '$' start)");
    }
    int star = s.indexOf('*');
    if (star < 0 || star + 3 > s.length()) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, "no *hh checksum");
    }
    String body = s.substring(1, star);
    verifyChecksum(body, s.substring(star + 1, star + 3), "sentence");
    String rest = s.substring(star + 3);
    String trailer = rest.startsWith(",") ? rest.substring(1) : rest;
    List<String> fields = List.of(body.split(",", -1));
    if (fields.get(0).isEmpty()) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, "empty address field");
    }
    return new NmeaSentence(tags, s.charAt(0), fields, trailer, tagBad);
  }

  /**
   * Parses {@code k:v,k:v*hh} (IEC 61162-1 §7.9 / IEC 61162-450 tag block); checks its checksum
   * when {@code verify} is true.
   */
  private static Map<String, String> parseTagBlock(String block, boolean verify) throws RecordRejection {
    int star = block.lastIndexOf('*');
    String body = block;
    if (star >= 0) {
      if (verify) {
        verifyChecksum(block.substring(0, star), block.substring(star + 1), "tag block");
      }
      body = block.substring(0, star);
    }
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    for (String kv : body.split(",")) {
      int colon = kv.indexOf(':');
      if (colon > 0) {
        m.put(kv.substring(0, colon), kv.substring(colon + 1));
      }
    }
    return Map.copyOf(m);
  }

  private static void verifyChecksum(String body, String hex, String what) throws RecordRejection {
    int expected;
    try {
      expected = Integer.parseInt(hex, 16);
    } catch (NumberFormatException e) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, what + " checksum '" + hex + "' is not hex");
    }
    if (hex.length() != 2) {
      throw new RecordRejection(RejectReason.UNPARSEABLE, what + " checksum '" + hex + "' is not 2 hex digits");
    }
    int actual = checksum(body);
    if (actual != expected) {
      throw new RecordRejection(RejectReason.BAD_CHECKSUM,
          String.format("%s checksum *%02X does not match computed *%02X", what, expected, actual));
    }
  }

  /** IEC 61162-1 checksum: XOR of the 8-bit codes of every character of {@code body}. */
  static int checksum(String body) {
    int x = 0;
    for (int i = 0; i < body.length(); i++) {
      x ^= body.charAt(i) & 0xFF;
    }
    return x;
  }
}
