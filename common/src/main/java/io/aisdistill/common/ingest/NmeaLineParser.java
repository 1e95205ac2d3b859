package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.LineParser;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader of raw NMEA 0183 AIS logs: {@code !xxVDM} / {@code !xxVDO} sentences of any talker
 * ({@code AI}, {@code BS}, {@code AB}, {@code SS}, ...), optionally with IEC 61162-1 tag blocks,
 * Gatehouse {@code $PGHP} time lines, USCG NAIS trailers, or interleaved {@code $GPRMC} fixes.
 * Payloads are decoded with DMA AisLib; one instance reads one file, fed its lines in file order.
 *
 * <h2>Lines</h2>
 * <ul>
 *   <li>blank: {@code skipped("blank")}; {@code #...}: {@code skipped("comment")};</li>
 *   <li>a valid sentence that is not VDM/VDO ({@code $GPGGA}, {@code $PGHP}, {@code $GPRMC}, ...):
 *       {@code skipped("nmea_other")} (PGHP and RMC times are remembered);</li>
 *   <li>a line with a control byte (other than TAB and a trailing CR) or U+FFFD: reject
 *       {@link RejectReason#BINARY_CONTENT};</li>
 *   <li>not framed as a sentence ({@code !}/{@code $} start, optional {@code \tag block\},
 *       {@code *hh}), or VDM fields malformed (fragment count/number 1-9, fill bits 0-5): reject
 *       {@link RejectReason#UNPARSEABLE};</li>
 *   <li>sentence checksum mismatch (IEC 61162-1 XOR of the characters between the delimiter and
 *       {@code *}): reject {@link RejectReason#BAD_CHECKSUM};</li>
 *   <li>tag-block checksum mismatch (e.g. the placeholder {@code *00} some national feeds write)
 *       while the sentence's own checksum holds: the line is read as usual, its tag-block time
 *       included, and counted with {@code sink.note("tag_block_checksum_bad")} (one per such line,
 *       whatever its record becomes); with {@code strictTagBlockChecksum} (setting
 *       {@code ingest.nmea.strict_tag_block_checksum}) it is rejected
 *       {@link RejectReason#BAD_CHECKSUM} instead;</li>
 *   <li>empty or non-6-bit payload, or bits AisLib cannot decode: {@link RejectReason#BAD_PAYLOAD}.</li>
 * </ul>
 *
 * <h2>Multi-sentence messages</h2>
 * Fragments are grouped by address (talker+formatter), fragment count, sequential message id and
 * channel (IEC 61162-1 VDM fields 1-4) and must arrive as fragment 1, 2, ... of their group. A
 * complete group becomes one record whose {@code sourceRecord} is the byte offset of fragment 1;
 * the other fragment lines are reported {@code skipped("fragment")} right after that record. A
 * group that is superseded by a new fragment 1 with the same key, broken by an out-of-order
 * fragment, or still open at {@link #finish}, yields one
 * {@link RejectReason#INCOMPLETE_MULTIPART} reject per fragment line; so does a fragment whose
 * predecessors never arrived.
 *
 * <h2>Time (UTC epoch milliseconds), first available wins</h2>
 * <ol>
 *   <li>tag block {@code c:} (Unix seconds, or milliseconds when 13 digits; IEC 61162-1 §7.9);</li>
 *   <li>a preceding {@code $PGHP,1,yyyy,m,d,h,mi,s,ms,...} line (applies to the next VDM/VDO line
 *       only; within the context bound below);</li>
 *   <li>USCG NAIS trailer after the checksum: the first 10-digit Unix-seconds field;</li>
 *   <li>the latest valid {@code $xxRMC} date+time seen earlier in the file, within the context
 *       bound below;</li>
 *   <li>the constructor's fallback time.</li>
 * </ol>
 * A multi-sentence message takes the time of its first fragment that has one. A position without
 * any time is rejected {@link RejectReason#NO_TIMESTAMP}; a static report without a time is
 * accepted with {@code tsMillis == null}, as {@link io.aisdistill.common.ais.StaticReport} allows.
 *
 * <h2>Context bound (splittable reads)</h2>
 * State that spans lines lives at most {@code contextBytes} bytes ({@code ingest.nmea.lookback_bytes},
 * default {@link #DEFAULT_CONTEXT_BYTES}), counted from the first byte of the line that made it to
 * the first byte of the line that would use it: a {@code $PGHP} or RMC time further back is not
 * used, and an open multi-sentence group whose fragment 1 is further back is abandoned
 * ({@link RejectReason#INCOMPLETE_MULTIPART}, "not completed within N bytes") before the line is
 * read. The bound holds in every read, so a file read as one task and the same file read as
 * several byte ranges ({@link #own}) give the same records: a range only needs to re-read
 * {@code contextBytes} before its start, and to read past its end only until the groups it owns are
 * resolved (complete, abandoned, or expired: at most {@code contextBytes} past their fragment 1).
 *
 * <h2>Owned range</h2>
 * {@link #own} restricts what reaches the sink to the records of lines that start in a byte range;
 * a multi-sentence message belongs to the line of its fragment 1 (record or reject, the
 * {@code skipped("fragment")} of its other lines, and the rejects of an abandoned group all go with
 * it); any other output belongs to the line being read. Lines before and after the range are
 * still read, for their context.
 *
 * <h2>Records (ITU-R M.1371-5)</h2>
 * Types 1, 2, 3 (class A), 18, 19 (class B) and 27 (long-range, class A: SOG whole knots, 63 = n/a;
 * COG whole degrees, 511 = n/a; no heading) become {@link io.aisdistill.common.ais.PositionReport}s;
 * type 19 also carries name, ship type and dimensions. Types 5 and 24 (part A: name; part B: ship
 * type, call sign, dimensions) become {@link io.aisdistill.common.ais.StaticReport}s. Other types:
 * {@link RejectReason#UNSUPPORTED_MSG_TYPE}. An MMSI that is not a ship station (ITU-R M.585):
 * {@link RejectReason#NON_VESSEL_MMSI}. Latitude 91 / outside [-90, 90]:
 * {@link RejectReason#LAT_OUT_OF_RANGE}; longitude 181 / outside [-180, 180]:
 * {@link RejectReason#LON_OUT_OF_RANGE}. SOG 102.3 kn, COG 360 deg and heading 511 become null
 * ({@link io.aisdistill.common.ais.Sentinels}). Dimensions are metres (length A+B, width C+D, 0 =
 * null), type-5 draught metres (0 = null), ship type and IMO 0 = null, text trimmed of '@' and
 * spaces.
 *
 * <p>Not thread-safe: one instance per file, one thread.
 */
public final class NmeaLineParser implements LineParser {

  /** Default context bound in bytes (1 MiB): the default of {@code ingest.nmea.lookback_bytes}. */
  public static final long DEFAULT_CONTEXT_BYTES = 1L << 20;

  /** Receives and drops everything: the output of lines outside the owned range. */
  private static final RecordSink DISCARD = new RecordSink() {
    @Override
    public void position(io.aisdistill.common.ais.PositionReport p) {}

    @Override
    public void staticReport(io.aisdistill.common.ais.StaticReport s) {}

    @Override
    public void reject(RejectRecord r) {}
  };

  private final String source;
  private final Long fallbackTsMillis;
  private final boolean strictTagBlockChecksum;
  private final long contextBytes;
  /** Open multi-sentence groups, in the order their first fragment arrived (= by its offset). */
  private final Map<String, List<Fragment>> groups = new LinkedHashMap<>();
  /** Time of the last {@code $PGHP} line, waiting for the next VDM/VDO line; null when none. */
  private Long pendingPghp;
  /** Offset of the {@code $PGHP} line of {@link #pendingPghp}. */
  private long pghpOffset;
  /** Date+time of the latest valid RMC sentence; null before the first. */
  private Long lastRmc;
  /** Offset of the RMC line of {@link #lastRmc}. */
  private long rmcOffset;
  /** Owned byte range [ownedFrom, ownedTo) of line starts ({@link #own}). */
  private long ownedFrom = 0;
  private long ownedTo = Long.MAX_VALUE;

  /** One VDM/VDO line of a multi-sentence message. */
  private record Fragment(long offset, String raw, String payload, int padBits, Long tsMillis) {}

  /**
   * A parser for a file whose sentences carry their own time (tag block, $PGHP, NAIS trailer or
   * $GPRMC); positions without one are rejected {@link RejectReason#NO_TIMESTAMP}.
   *
   * @param source the input file path, copied into every record's {@code source}
   */
  public NmeaLineParser(String source) {
    this(source, null);
  }

  /**
   * A parser with a fallback time that reads sentences behind a tag block with a wrong checksum
   * (the default of {@code ingest.nmea.strict_tag_block_checksum}).
   *
   * @param source the input file path, copied into every record's {@code source}
   * @param fallbackTsMillis UTC epoch milliseconds used for sentences with no time of their own;
   *     null to reject such positions with {@link RejectReason#NO_TIMESTAMP}
   */
  public NmeaLineParser(String source, Long fallbackTsMillis) {
    this(source, fallbackTsMillis, false);
  }

  /**
   * A parser with a fallback time and a tag-block checksum policy.
   *
   * @param source the input file path, copied into every record's {@code source}
   * @param fallbackTsMillis UTC epoch milliseconds used for sentences with no time of their own;
   *     null to reject such positions with {@link RejectReason#NO_TIMESTAMP}
   * @param strictTagBlockChecksum true to reject a sentence whose tag block's checksum is wrong
   *     ({@link RejectReason#BAD_CHECKSUM}); false to read it and note
   *     {@code tag_block_checksum_bad}
   */
  public NmeaLineParser(String source, Long fallbackTsMillis, boolean strictTagBlockChecksum) {
    this(source, fallbackTsMillis, strictTagBlockChecksum, DEFAULT_CONTEXT_BYTES);
  }

  /**
   * A parser with a fallback time, a tag-block checksum policy and a context bound.
   *
   * @param source the input file path, copied into every record's {@code source}
   * @param fallbackTsMillis UTC epoch milliseconds used for sentences with no time of their own;
   *     null to reject such positions with {@link RejectReason#NO_TIMESTAMP}
   * @param strictTagBlockChecksum see {@link #NmeaLineParser(String, Long, boolean)}
   * @param contextBytes the context bound in bytes (class comment, "Context bound"), at least 1
   * @throws IllegalArgumentException when {@code contextBytes < 1}
   */
  public NmeaLineParser(String source, Long fallbackTsMillis, boolean strictTagBlockChecksum, long contextBytes) {
    if (contextBytes < 1) {
      throw new IllegalArgumentException("NMEA context bound must be at least 1 byte: " + contextBytes);
    }
    this.source = source;
    this.fallbackTsMillis = fallbackTsMillis;
    this.strictTagBlockChecksum = strictTagBlockChecksum;
    this.contextBytes = contextBytes;
  }

  /** The context bound in bytes (class comment, "Context bound"). */
  public long contextBytes() {
    return contextBytes;
  }

  /**
   * Restricts the output to the lines that start in {@code [from, to)} (class comment, "Owned
   * range"); by default every line is owned. To read a byte range of a file as a one-task read
   * would, feed the lines from the first line start at or after {@code from - contextBytes()} (or
   * the file's start), and go on past {@code to} while {@link #awaitingOwned()}.
   *
   * @param from first owned byte offset
   * @param to end of the owned range (exclusive)
   * @throws IllegalArgumentException when {@code from > to} or {@code from < 0}
   */
  public void own(long from, long to) {
    if (from < 0 || from > to) {
      throw new IllegalArgumentException("owned range [" + from + ", " + to + ") is empty or negative");
    }
    ownedFrom = from;
    ownedTo = to;
  }

  /**
   * Whether a multi-sentence group whose fragment 1 is owned is still open: its record (or
   * rejects) depends on lines not read yet.
   */
  public boolean awaitingOwned() {
    for (List<Fragment> g : groups.values()) {
      if (owned(g.get(0).offset())) {
        return true;
      }
    }
    return false;
  }

  private boolean owned(long offset) {
    return offset >= ownedFrom && offset < ownedTo;
  }

  /** {@code sink} for output that belongs to the line at {@code offset}, else a sink that drops it. */
  private RecordSink to(long offset, RecordSink sink) {
    return owned(offset) ? sink : DISCARD;
  }

  /**
   * Drops the context that is more than {@link #contextBytes} before the line at {@code offset}:
   * the pending $PGHP time, the latest RMC time, and open groups (abandoned).
   */
  private void expire(long offset, RecordSink sink) {
    if (pendingPghp != null && offset - pghpOffset > contextBytes) {
      pendingPghp = null;
    }
    if (lastRmc != null && offset - rmcOffset > contextBytes) {
      lastRmc = null;
    }
    var it = groups.values().iterator();
    while (it.hasNext()) {
      List<Fragment> g = it.next();
      if (offset - g.get(0).offset() <= contextBytes) {
        break; // groups are in the order of their fragment 1
      }
      it.remove();
      abandon(g, "not completed within " + contextBytes + " bytes of its fragment 1", sink);
    }
  }

  /**
   * Parses one line; never throws for bad input (every bad record becomes a reject with a detail).
   * A record may be emitted later than its first line (multi-sentence messages complete on their
   * last fragment, abandoned ones at {@link #finish}).
   *
   * @param offset byte offset of the line's first byte in the file
   * @param line the line without its terminator (a trailing CR is ignored)
   * @param sink receives the records
   */
  @Override
  public void line(long offset, String line, RecordSink sink) {
    expire(offset, sink);
    RecordSink own = to(offset, sink);
    String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    RejectRecord binary = ControlChars.binaryLineReject(source, offset, l);
    if (binary != null) {
      own.reject(binary);
      return;
    }
    String t = l.strip();
    if (t.isEmpty()) {
      own.skipped("blank");
      return;
    }
    if (t.charAt(0) == '#') {
      own.skipped("comment");
      return;
    }
    boolean timeOrAisLine = t.charAt(0) != '$' || t.startsWith("$PGHP");
    try {
      NmeaSentence s = NmeaSentence.parse(t, strictTagBlockChecksum);
      if (s.tagBlockChecksumBad()) {
        own.note("tag_block_checksum_bad");
      }
      if (!s.isVdm()) {
        otherSentence(offset, s);
        own.skipped("nmea_other");
        return;
      }
      Long pghp = pendingPghp;
      pendingPghp = null;
      vdm(offset, l, s, pghp, sink);
    } catch (RecordRejection r) {
      if (timeOrAisLine) {
        // a broken $PGHP or VDM line ends the validity of the previous $PGHP time
        pendingPghp = null;
      }
      own.reject(RejectRecord.of(source, offset, l, r.reason, r.detail()));
    } catch (RuntimeException e) {
      // defensive: no input may escape as an exception; a decoder surprise becomes a reject
      own.reject(RejectRecord.of(source, offset, l, RejectReason.UNPARSEABLE, "cannot parse: " + e));
    }
  }

  /**
   * Flushes the state after the last line: every fragment of a multi-sentence message still
   * waiting for its other fragments becomes an {@link RejectReason#INCOMPLETE_MULTIPART} reject.
   * The parser is then ready for a new file.
   */
  @Override
  public void finish(RecordSink sink) {
    for (List<Fragment> g : groups.values()) {
      abandon(g, "never completed before the end of the input", sink);
    }
    groups.clear();
    pendingPghp = null;
    lastRmc = null;
  }

  /** Remembers the time of $PGHP and RMC sentences; other sentences carry nothing we use. */
  private void otherSentence(long offset, NmeaSentence s) {
    if (s.delimiter() != '$') {
      return;
    }
    if (s.address().equals("PGHP")) {
      pendingPghp = NmeaTimes.pghp(s.fields());
      pghpOffset = offset;
    } else if (s.formatter().equals("RMC")) {
      Long t = NmeaTimes.rmc(s.fields());
      if (t != null) {
        lastRmc = t;
        rmcOffset = offset;
      }
    }
  }

  private void vdm(long offset, String raw, NmeaSentence s, Long pghp, RecordSink sink) throws RecordRejection {
    List<String> f = s.fields();
    if (f.size() < 7) {
      throw new RecordRejection(RejectReason.UNPARSEABLE,
          s.address() + " has " + f.size() + " fields, VDM/VDO needs 7 (IEC 61162-1)");
    }
    int total = intField(f.get(1), 1, 9, "fragment count");
    int num = intField(f.get(2), 1, total, "fragment number");
    int pad = intField(f.get(6), 0, 5, "fill bits");
    String payload = f.get(5);
    Long ts = sentenceTime(s, pghp);
    if (payload.isEmpty()) {
      throw new RecordRejection(RejectReason.BAD_PAYLOAD, "empty payload");
    }
    Fragment frag = new Fragment(offset, raw, payload, pad, ts);
    if (total == 1) {
      emit(List.of(frag), sink);
      return;
    }
    String key = s.address() + '|' + total + '|' + f.get(3) + '|' + f.get(4);
    List<Fragment> open = groups.get(key);
    if (num == 1) {
      if (open != null) {
        groups.remove(key);
        abandon(open, "superseded by a new fragment 1 with the same sequential id", sink);
      }
      List<Fragment> g = new ArrayList<>(total);
      g.add(frag);
      groups.put(key, g);
      return;
    }
    if (open == null || open.size() != num - 1) {
      if (open != null) {
        groups.remove(key);
        abandon(open, "broken by out-of-order fragment " + num + " of " + total, sink);
      }
      throw new RecordRejection(RejectReason.INCOMPLETE_MULTIPART, "fragment " + num + " of " + total
          + " (sequential id '" + f.get(3) + "', channel '" + f.get(4) + "') without its preceding fragments");
    }
    open.add(frag);
    if (open.size() == total) {
      groups.remove(key);
      emit(open, sink);
    }
  }

  /** Time of one VDM/VDO line by the precedence in the class comment (fallback excluded). */
  private Long sentenceTime(NmeaSentence s, Long pghp) throws RecordRejection {
    Long t = NmeaTimes.tagBlock(s.tags());
    if (t == null) {
      t = pghp;
    }
    if (t == null) {
      t = NmeaTimes.trailer(s.trailer());
    }
    return t != null ? t : lastRmc;
  }

  /** Decodes a complete message (one sentence, or all fragments in order) and accounts its lines. */
  private void emit(List<Fragment> frags, RecordSink out) {
    Fragment first = frags.get(0);
    RecordSink sink = to(first.offset(), out);
    StringBuilder payload = new StringBuilder();
    StringBuilder raw = new StringBuilder();
    Long ts = null;
    for (Fragment fr : frags) {
      payload.append(fr.payload());
      raw.append(raw.length() == 0 ? "" : "\n").append(fr.raw());
      if (ts == null) {
        ts = fr.tsMillis();
      }
    }
    int pad = frags.get(frags.size() - 1).padBits();
    try {
      AisPayloadDecoder.decode(new AisPayloadDecoder.Input(payload.toString(), pad,
          ts != null ? ts : fallbackTsMillis, source, first.offset()), sink);
    } catch (RecordRejection r) {
      sink.reject(RejectRecord.of(source, first.offset(), raw.toString(), r.reason, r.detail()));
    }
    for (int i = 1; i < frags.size(); i++) {
      sink.skipped("fragment");
    }
  }

  private void abandon(List<Fragment> frags, String why, RecordSink out) {
    RecordSink sink = to(frags.get(0).offset(), out);
    for (Fragment fr : frags) {
      sink.reject(RejectRecord.of(source, fr.offset(), fr.raw(), RejectReason.INCOMPLETE_MULTIPART,
          "multi-sentence message " + why + " (" + frags.size() + " fragment(s) seen)"));
    }
  }

  private static int intField(String v, int min, int max, String name) throws RecordRejection {
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // fall through to the reject below
    }
    throw new RecordRejection(RejectReason.UNPARSEABLE, name + " '" + v + "' not in " + min + ".." + max);
  }
}
