package io.aisdistill.common.ingest;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.aisdistill.common.ais.LineParser;

/**
 * A real {@link RecordSink} that keeps everything it receives, in order, plus a reader that feeds a
 * file to a {@link LineParser} with true byte offsets, and the per-file accounting invariant.
 */
public final class CollectingSink implements RecordSink {
  public final List<PositionReport> positions = new ArrayList<>();
  public final List<StaticReport> statics = new ArrayList<>();
  public final List<RejectRecord> rejects = new ArrayList<>();
  public final Map<String, Integer> skipped = new LinkedHashMap<>();
  /** Notes ({@link RecordSink#note}) by kind; they count no line. */
  public final Map<String, Integer> notes = new LinkedHashMap<>();
  /** Every skipped-line kind, in order. */
  public final List<String> skippedKinds = new ArrayList<>();
  /** Lines consumed by each record, in emission order (1 + the "fragment" skips that follow it). */
  final List<Integer> linesPerRecord = new ArrayList<>();
  /** sourceRecord of every record, in emission order. */
  final List<Long> recordOffsets = new ArrayList<>();
  /** A "fragment" skip reported before any record: breaks the accounting. */
  int orphanFragmentSkips;

  @Override
  public void position(PositionReport p) {
    positions.add(p);
    record(p.sourceRecord());
  }

  @Override
  public void staticReport(StaticReport s) {
    statics.add(s);
    record(s.sourceRecord());
  }

  @Override
  public void reject(RejectRecord r) {
    rejects.add(r);
    record(r.sourceRecord());
  }

  @Override
  public void skipped(String kind) {
    skipped.merge(kind, 1, Integer::sum);
    skippedKinds.add(kind);
    if (kind.equals("fragment")) {
      if (linesPerRecord.isEmpty()) {
        orphanFragmentSkips++;
      } else {
        int last = linesPerRecord.size() - 1;
        linesPerRecord.set(last, linesPerRecord.get(last) + 1);
      }
    }
  }

  @Override
  public void note(String kind) {
    notes.merge(kind, 1, Integer::sum);
  }

  private void record(long offset) {
    linesPerRecord.add(1);
    recordOffsets.add(offset);
  }

  int skippedExceptFragments() {
    return skipped.entrySet().stream().filter(e -> !e.getKey().equals("fragment"))
        .mapToInt(Map.Entry::getValue).sum();
  }

  /** Records plus skipped lines: one per line for a parser without multi-sentence messages. */
  int total() {
    return records() + skippedKinds.size();
  }

  int records() {
    return positions.size() + statics.size() + rejects.size();
  }

  long rejects(RejectReason reason) {
    return rejects.stream().filter(r -> r.reason() == reason).count();
  }

  RejectRecord onlyReject() {
    if (rejects.size() != 1 || records() != 1) {
      throw new AssertionError("expected exactly one record, a reject; got " + positions + statics + rejects);
    }
    return rejects.get(0);
  }

  PositionReport onlyPosition() {
    if (positions.size() != 1 || records() != 1) {
      throw new AssertionError("expected exactly one record, a position; got " + positions + statics + rejects);
    }
    return positions.get(0);
  }

  StaticReport onlyStatic() {
    if (statics.size() != 1 || records() != 1) {
      throw new AssertionError("expected exactly one record, a static report; got " + positions + statics + rejects);
    }
    return statics.get(0);
  }

  /**
   * The accounting invariant: every line is skipped or part of exactly one record, i.e.
   * {@code lines == skipped (not fragments) + sum of lines consumed per record}, no fragment skip
   * without a record before it, and no two records starting at the same line.
   */
  void assertAccounting(int lines) {
    int consumed = linesPerRecord.stream().mapToInt(Integer::intValue).sum();
    if (orphanFragmentSkips != 0 || lines != skippedExceptFragments() + consumed) {
      throw new AssertionError("accounting: " + lines + " lines, " + skippedExceptFragments()
          + " skipped, " + consumed + " consumed by " + records() + " records, " + orphanFragmentSkips
          + " orphan fragment skips; skipped=" + skipped);
    }
    Set<Long> distinct = new HashSet<>(recordOffsets);
    if (distinct.size() != recordOffsets.size()) {
      throw new AssertionError("two records share a first line");
    }
  }

  /** Feeds {@code lines} (offsets as if joined by LF) and finishes; returns the line count. */
  static int feed(LineParser parser, CollectingSink sink, String... lines) {
    long offset = 0;
    for (String l : lines) {
      parser.line(offset, l, sink);
      offset += l.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    parser.finish(sink);
    return lines.length;
  }

  /**
   * Feeds a file split on LF with true byte offsets (a final line without LF counts; an empty tail
   * after the last LF does not), decoding each line as UTF-8; returns the line count.
   */
  static int feed(LineParser parser, CollectingSink sink, Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int lines = 0;
    int start = 0;
    while (start < b.length) {
      int end = start;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      parser.line(start, new String(b, start, end - start, StandardCharsets.UTF_8), sink);
      lines++;
      start = end + 1;
    }
    parser.finish(sink);
    return lines;
  }
}
