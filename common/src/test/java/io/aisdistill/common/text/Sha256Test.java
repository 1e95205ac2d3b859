package io.aisdistill.common.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SHA-256 of text, bytes and files: FIPS 180-2 test vectors, lower-case hex. */
class Sha256Test {
  static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir Path tmp;

  @Test
  void textBytesAndFilesGiveTheSameDigest() throws IOException {
    assertEquals(EMPTY, Sha256.hex(""));
    assertEquals(ABC, Sha256.hex("abc"));
    assertEquals(ABC, Sha256.hexBytes("abc".getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals(HexFormat.of().parseHex(ABC), Sha256.digest("abc".getBytes(StandardCharsets.UTF_8)));
    Path f = tmp.resolve("abc.txt");
    Files.writeString(f, "abc");
    assertEquals(ABC, Sha256.hexFile(f));
    // a file larger than one 64 KiB read block
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    Path g = tmp.resolve("big.bin");
    Files.write(g, big);
    assertEquals(Sha256.hexBytes(big), Sha256.hexFile(g));
  }

  @Test
  void textIsHashedAsUtf8() {
    assertEquals(Sha256.hexBytes("Ø°".getBytes(StandardCharsets.UTF_8)), Sha256.hex("Ø°"));
  }
}
