package io.aisdistill.jobs;

import io.aisdistill.common.ais.FlagStates;
import io.aisdistill.common.sim.AisSimulator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Small pieces shared by the stage commands. */
final class Stages {
  private Stages() {}

  /** Flag state from the MID (ITU-R M.585), shippable to executors. */
  static final WindowsJob.SerializableLongFunction<String> FLAGS = FlagStates::forMmsi;

  /** Writes simulated MarineCadastre CSV; returns rows written. */
  static long simulate(int vessels, double hours, Instant start, long seed, Path out) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      return AisSimulator.write(new AisSimulator.Config(vessels, hours, start, seed), w);
    }
  }
}
