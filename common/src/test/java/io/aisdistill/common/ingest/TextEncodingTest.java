package io.aisdistill.common.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectRecord;
import io.aisdistill.common.ais.StaticReport;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-file encoding detection and per-line decoding ({@link TextEncoding}). */
class TextEncodingTest {
  static final Charset CP1252 = TextEncoding.WINDOWS_1252;
  static final String DMA_HEADER = "# Timestamp,MMSI,Latitude,Longitude,Navigational status,SOG,COG,Name,Ship type";
  static final String ROW = "05/07/2017 19:00:01,219000123,55.487,9.472,Under way using engine,8.3,254.1,SØNDERBORG,Passenger";

  /** Keeps the notes it receives; a line parser's records are not expected here. */
  static final class Notes implements RecordSink {
    final List<String> kinds = new ArrayList<>();

    @Override
    public void position(PositionReport p) {
      throw new AssertionError("no records expected");
    }

    @Override
    public void staticReport(StaticReport s) {
      throw new AssertionError("no records expected");
    }

    @Override
    public void reject(RejectRecord r) {
      throw new AssertionError("no records expected");
    }

    @Override
    public void note(String kind) {
      kinds.add(kind);
    }
  }

  private static Charset detect(byte[] b, boolean whole) {
    return TextEncoding.detect(b, b.length, whole);
  }

  @Test
  void validUtf8IsUtf8AndLatin1IsWindows1252() {
    assertEquals(StandardCharsets.UTF_8, detect((DMA_HEADER + "\n").getBytes(StandardCharsets.US_ASCII), true), "ASCII");
    byte[] utf8 = (DMA_HEADER + "\n" + ROW + "\n").getBytes(StandardCharsets.UTF_8);
    assertEquals(StandardCharsets.UTF_8, detect(utf8, true));
    byte[] latin = (DMA_HEADER + "\n" + ROW + "\n").getBytes(CP1252);
    assertEquals(CP1252, detect(latin, true), "Ø is the single byte 0xD8, invalid as UTF-8");
    assertEquals(CP1252, detect((ROW.replace("SØNDERBORG", "MÅGEN") + "\n").getBytes(StandardCharsets.ISO_8859_1), true));
    // overlong '/' (C0 AF) and a lone surrogate (ED A0 80) are malformed for the JDK decoder
    assertEquals(CP1252, detect(new byte[] {'a', (byte) 0xC0, (byte) 0xAF, '\n'}, true));
    assertEquals(CP1252, detect(new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}, true));
  }

  @Test
  void aHeadCutInsideACharacterIsStillUtf8() {
    byte[] utf8 = (DMA_HEADER + "\n" + ROW).getBytes(StandardCharsets.UTF_8);
    int cut = indexOf(utf8, (byte) 0xC3) + 1; // Ø is C3 98: cut after its first byte
    byte[] head = Arrays.copyOf(utf8, cut);
    assertEquals(StandardCharsets.UTF_8, detect(head, false), "the file goes on after the head");
    assertEquals(CP1252, detect(head, true), "a whole file that ends mid-character is not UTF-8");
  }

  private static int indexOf(byte[] b, byte v) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    throw new AssertionError("byte not found");
  }

  @Test
  void configuredCharsets() {
    assertNull(TextEncoding.configured("auto"));
    assertNull(TextEncoding.configured(" AUTO "));
    assertNull(TextEncoding.configured(null));
    assertEquals(CP1252, TextEncoding.configured("windows-1252"));
    assertEquals(StandardCharsets.ISO_8859_1, TextEncoding.configured("latin1"));
    assertEquals(StandardCharsets.UTF_8, TextEncoding.configured("utf8"));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> TextEncoding.configured("klingon-8"));
    assertTrue(unknown.getMessage().contains("unknown charset 'klingon-8'"), unknown.getMessage());
    IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
        () -> TextEncoding.configured("UTF-16LE"));
    assertTrue(wide.getMessage().contains("does not encode ASCII as single bytes"), wide.getMessage());
    byte[] latin = ROW.getBytes(CP1252);
    assertEquals(StandardCharsets.UTF_8, TextEncoding.of(StandardCharsets.UTF_8, latin, latin.length, true),
        "a configured charset wins over detection");
    assertEquals(CP1252, TextEncoding.of(null, latin, latin.length, true));
    assertEquals("windows-1252", TextEncoding.label(CP1252));
  }

  @Test
  void linesDecodeStrictlyOrFallBackWithANote() {
    byte[] utf8Line = ROW.getBytes(StandardCharsets.UTF_8);
    byte[] latinLine = ROW.getBytes(CP1252);
    byte[] padded = Arrays.copyOf(latinLine, latinLine.length + 20); // Text.getBytes() is longer than the line

    // auto, UTF-8 file: UTF-8 lines as UTF-8, a Latin-1 line as Windows-1252, noted
    Notes notes = new Notes();
    TextEncoding.LineDecoder auto = new TextEncoding.LineDecoder(StandardCharsets.UTF_8, true);
    assertEquals(ROW, auto.decode(utf8Line, utf8Line.length, notes));
    assertEquals(List.of(), notes.kinds);
    assertEquals(ROW, auto.decode(padded, latinLine.length, notes));
    assertEquals(List.of(TextEncoding.LineDecoder.NOTE_WINDOWS_1252), notes.kinds);
    assertEquals("plain ascii", auto.decode("plain ascii".getBytes(StandardCharsets.US_ASCII), 11, notes));
    String longName = "Ø".repeat(600);           // grows the decoder's buffer
    byte[] longLine = longName.getBytes(StandardCharsets.UTF_8);
    assertEquals(longName, auto.decode(longLine, longLine.length, notes));
    assertEquals(1, notes.kinds.size());

    // a configured UTF-8: no guessing, the bad byte becomes U+FFFD, noted
    Notes strictNotes = new Notes();
    TextEncoding.LineDecoder utf8 = new TextEncoding.LineDecoder(StandardCharsets.UTF_8, false);
    String replaced = utf8.decode(latinLine, latinLine.length, strictNotes);
    assertEquals(ROW.replace('Ø', '\uFFFD'), replaced);
    assertEquals(List.of(TextEncoding.LineDecoder.NOTE_REPLACED), strictNotes.kinds);

    // a Windows-1252 file: Latin-1 letters and the 0x80-0x9F extras (€, Œ)
    Notes cpNotes = new Notes();
    TextEncoding.LineDecoder cp = new TextEncoding.LineDecoder(CP1252, false);
    assertEquals(ROW, cp.decode(latinLine, latinLine.length, cpNotes));
    assertEquals("€Œ", cp.decode(new byte[] {(byte) 0x80, (byte) 0x8C}, 2, cpNotes));
    assertFalse(cpNotes.kinds.contains(TextEncoding.LineDecoder.NOTE_WINDOWS_1252));
    assertEquals(List.of(), cpNotes.kinds);
  }

  @Test
  void detectionReadsAWindows1252HeadWithTheDetectedCharset() {
    byte[] latin = (DMA_HEADER + "\n" + ROW + "\n").getBytes(CP1252);
    Detection d = FormatDetector.detect("dk.csv", latin, latin.length, detect(latin, true), ColumnMapping.NONE);
    assertEquals(InputFormat.DMA_CSV, d.format(), d.detail());
  }
}
