package io.aisdistill.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/fixed-heap}, which bin/ais-distill and the benches put their JVM options through: it
 * adds {@code -Xms} equal to the last {@code -Xmx} when the options have an {@code -Xmx} and no
 * {@code -Xms}, and leaves every other option list as it is. Runs the script itself with bash.
 */
class FixedHeapScriptTest {
  private static String run(String... opts) throws IOException, InterruptedException {
    Path script = Path.of(System.getProperty("ais.repo.dir", "..")).resolve("bin/fixed-heap");
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(opts));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void theHeapStartsAtItsMaximumUnlessTheOptionsSayOtherwise() throws Exception {
    assertEquals("-Xmx6g -Xms6g", run("-Xmx6g"));
    // the JVM takes the last -Xmx, so -Xms follows that one
    assertEquals("-Xmx2g -Dspark.ui.enabled=false -Xmx3g -Xms3g", run("-Xmx2g", "-Dspark.ui.enabled=false", "-Xmx3g"));
    // an -Xms of the user's own, before or after -Xmx, is kept as given
    assertEquals("-Xms1g -Xmx4g", run("-Xms1g", "-Xmx4g"));
    assertEquals("-Xmx4g -Xms512m", run("-Xmx4g", "-Xms512m"));
    // no -Xmx: the JVM's own default heap, nothing added
    assertEquals("-Dx=1", run("-Dx=1"));
    assertEquals("", run());
  }
}
