package io.aisdistill.jobs.training;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.aisdistill.jobs.config.PipelineConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The local llama.cpp server of {@code run} ({@code evaluate.serve: local}): started, awaited, stopped. */
public final class LocalServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);

  private final Process process;
  /** The server's output, {@code TRAIN_OUT/serve.log}. */
  public final Path log;

  /** {@code python -m lora_trainer serve --train-out DIR --host 127.0.0.1 --port PORT ARGS...}. */
  public static List<String> command(String python, Path trainOut, int port, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(python, "-m", "lora_trainer", "serve", "--train-out",
        trainOut.toAbsolutePath().toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Starts the server (output to {@code TRAIN_OUT/serve.log}) and waits until
   * {@code GET /v1/models} answers 200.
   *
   * @throws IllegalStateException when it exits or does not answer within {@code evaluate.serve_start_timeout_s}
   */
  public LocalServer(PipelineConfig cfg, Path trainOut) throws IOException, InterruptedException {
    int port = cfg.evaluate.servePort;
    log = trainOut.toAbsolutePath().resolve("serve.log");
    List<String> cmd = command(Trainer.interpreter(null, cfg), trainOut, port, cfg.evaluate.serveArgs);
    process = Trainer.pythonProcess(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.URI models = java.net.URI.create("http://127.0.0.1:" + port + "/v1/models");
    long deadline = System.currentTimeMillis() + (long) (cfg.evaluate.serveStartTimeoutS * 1000);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("local server exited with status " + process.exitValue() + " (log: " + log
            + "): " + String.join(" ", cmd));
      }
      try {
        var resp = http.send(java.net.http.HttpRequest.newBuilder(models).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        if (resp.statusCode() == 200) {
          break;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.currentTimeMillis() > deadline) {
        close();
        throw new IllegalStateException("local server did not answer " + models + " within "
            + cfg.evaluate.serveStartTimeoutS + " s (log: " + log + ")");
      }
      Thread.sleep(500);
    }
    LOG.info("serve: base + student on http://127.0.0.1:{}/v1 (log {})", port, log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}

