package io.aisdistill.common;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the real AIS samples of {@code ../shared/data/ais} for tests tagged {@code shared-data}.
 * Those tests are excluded from the README test command and run by {@code .ci/run} (Maven profile
 * {@code real-data}); there a missing directory is a failure, never a skip.
 */
public final class SharedData {
  private SharedData() {}

  /** The {@code shared/} root; throws when it is missing. */
  public static Path root() {
    String p = System.getProperty("ais.shared.dir");
    Path d = Path.of(p == null ? "../shared" : p).toAbsolutePath().normalize();
    if (!Files.isDirectory(d.resolve("data/ais"))) {
      throw new IllegalStateException(
          "real AIS samples not found at " + d + "/data/ais: shared-data tests need ../shared beside the checkout");
    }
    return d;
  }

  /** A file or directory under {@code shared/data/ais}, e.g. {@code ais("nmea_raw/gpsd_sample.aivdm")}. */
  public static Path ais(String relative) {
    Path f = root().resolve("data/ais").resolve(relative);
    if (!Files.exists(f)) {
      throw new IllegalStateException("missing real AIS sample: " + f);
    }
    return f;
  }
}
