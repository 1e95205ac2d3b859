package io.aisdistill.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmarks' simulated input ({@link SimulatedCsv}: {@value SimulatedCsv#FILES}
 * MarineCadastre CSV files of 24 h of traffic) for scripts that run the stages themselves
 * (bench/scale runs them with spark-submit). An executable, not a test.
 *
 * <p>Usage: {@code SimulateInput ROWS DIR}. Writes the files into DIR unless DIR already holds a
 * {@code _rows} marker for the same ROWS (the files are deterministic, so they are reused), then
 * prints {@code rows=N}, the data rows written (headers not counted). Exit status 2 on a usage error.
 */
public final class SimulateInput {
  private SimulateInput() {}

  /**
   * Runs it.
   *
   * @param args ROWS (underscores allowed) and DIR
   * @throws Exception when a file cannot be written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SimulateInput ROWS DIR");
      System.exit(2);
    }
    long target = Long.parseLong(args[0].replace("_", ""));
    Path dir = Path.of(args[1]);
    // the marker is hidden from ingest: names starting with '_' are skipped, as in Hadoop
    Path marker = dir.resolve("_rows");
    String key = target + " " + SimulatedCsv.FILES + "\n";
    if (Files.isRegularFile(marker) && Files.readString(marker).startsWith(key)) {
      String[] parts = Files.readString(marker).split("\n");
      System.err.println("reusing the simulated input in " + dir);
      System.out.println("rows=" + parts[1].trim());
      return;
    }
    Files.deleteIfExists(marker);
    long rows = SimulatedCsv.write(target, dir);
    Files.writeString(marker, key + rows + "\n");
    System.out.println("rows=" + rows);
  }
}
