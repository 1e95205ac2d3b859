package io.aisdistill.common.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests, the one place the project computes them: ids (window, pair, call, export),
 * seeds of deterministic picks, and file checksums. Hex output is lower case, 64 characters.
 * The methods have distinct names (no overloads), so a call with a generic argument such as
 * Spark's {@code row.getAs(...)} is never ambiguous. Thread-safe (a new {@link MessageDigest} per
 * call).
 */
public final class Sha256 {
  private Sha256() {}

  /**
   * The 32-byte SHA-256 digest of {@code bytes}.
   *
   * @throws NullPointerException when {@code bytes} is null
   */
  public static byte[] digest(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  /**
   * Lower-case hex (64 characters) SHA-256 of {@code bytes}.
   *
   * @throws NullPointerException when {@code bytes} is null
   */
  public static String hexBytes(byte[] bytes) {
    return HexFormat.of().formatHex(digest(bytes));
  }

  /**
   * Lower-case hex (64 characters) SHA-256 of the UTF-8 bytes of {@code text}.
   *
   * @throws NullPointerException when {@code text} is null
   */
  public static String hex(String text) {
    return hexBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Lower-case hex (64 characters) SHA-256 of a file's bytes, read in 64 KiB blocks.
   *
   * @throws IOException when the file cannot be read
   */
  public static String hexFile(Path file) throws IOException {
    MessageDigest md = newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * A new SHA-256 {@link MessageDigest}, for digests fed incrementally.
   *
   * @throws IllegalStateException when the JDK has no SHA-256 (every Java SE JDK must have it)
   */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
