package io.aisdistill.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The details log of one command-line run (issue 13): while it is open, and unless
 * {@code AIS_DISTILL_DEBUG} is set, the log4j2 events that would reach the console from Spark,
 * Hadoop, Delta, Parquet and the rest (executor task failures with their stack traces, ERROR and
 * WARN lines) go to a log file instead, and the console keeps only the lines of our own loggers
 * ({@code io.aisdistill}, at their configured level, without stack traces). The command's one-line
 * error then names the file: {@code ais-distill run: error: REASON (details: FILE)}, and the file
 * also holds the failure's own stack trace ({@link #logFailure}).
 *
 * <p>The file is {@code ais-distill-<UTC yyyyMMdd'T'HHmmss'Z'>-<pid>.log} in
 * {@code $AIS_DISTILL_LOG_DIR}, else the system property {@value #DIR_PROPERTY}, else
 * {@code java.io.tmpdir} (normally {@code $TMPDIR} or /tmp): a local file on the driver, also when
 * the lakehouse is on S3. It is created on the first event only (log4j2's {@code createOnDemand}),
 * so a quiet run leaves no file.
 *
 * <p>Done with log4j2's own configuration API: a {@link FileAppender} replaces the console
 * appenders of the configured loggers, a second {@link ConsoleAppender} (following
 * {@code System.setErr}, as the shipped one does) is added to {@code io.aisdistill}, and
 * {@link #close} puts the configuration back as it was. Applied only when the running
 * configuration is the shipped {@code log4j2.properties} (it declares the {@code io.aisdistill}
 * logger and the {@code console} appender); under another one (Databricks' driver logging, a
 * spark-submit with its own log4j2 file) nothing changes. One details log is open at a time per JVM;
 * an {@link #open} while one is open returns an inactive one.
 */
public final class DetailsLog implements AutoCloseable {
  /** Environment variable naming the directory of the details logs. */
  public static final String DIR_ENV = "AIS_DISTILL_LOG_DIR";
  /** System property naming the directory of the details logs (used when {@value #DIR_ENV} is unset). */
  public static final String DIR_PROPERTY = "ais.distill.log.dir";
  /** Environment variable that keeps everything on the console (and prints stack traces). */
  public static final String DEBUG_ENV = "AIS_DISTILL_DEBUG";
  /** Our own loggers: they stay on the console. */
  static final String OWN_LOGGER = "io.aisdistill";
  /** The shipped configuration's console appender. */
  static final String SHIPPED_CONSOLE = "console";
  /** Logger of {@link #logFailure}: outside {@value #OWN_LOGGER}, so it reaches the file only. */
  static final String FAILURE_LOGGER = "ais-distill";
  private static final String FILE_APPENDER = "ais-distill-details";
  private static final String CONSOLE_APPENDER = "ais-distill-console";
  private static final AtomicBoolean OPEN = new AtomicBoolean();
  private static volatile DetailsLog current = new DetailsLog(null, null, null, null, List.of());

  private final Path file;
  private final LoggerContext ctx;
  private final FileAppender fileAppender;
  private final ConsoleAppender consoleAppender;
  /** Per logger config whose console appenders were replaced: those appenders and their refs. */
  private final List<Replaced> replaced;

  private record Replaced(LoggerConfig logger, Map<String, Appender> appenders, List<AppenderRef> refs) {}

  private DetailsLog(Path file, LoggerContext ctx, FileAppender fileAppender, ConsoleAppender consoleAppender,
      List<Replaced> replaced) {
    this.file = file;
    this.ctx = ctx;
    this.fileAppender = fileAppender;
    this.consoleAppender = consoleAppender;
    this.replaced = replaced;
  }

  /**
   * Opens the details log of a run: routes the logging as described above, or does nothing
   * (an inactive log, {@link #active} false) when {@value #DEBUG_ENV} is set, another details log
   * is open, or the running log4j2 configuration is not the shipped one.
   */
  public static DetailsLog open() {
    if (System.getenv(DEBUG_ENV) != null || !OPEN.compareAndSet(false, true)) {
      return new DetailsLog(null, null, null, null, List.of());
    }
    try {
      DetailsLog d = route();
      current = d;
      if (!d.active()) {
        OPEN.set(false);
      }
      return d;
    } catch (RuntimeException | LinkageError e) {
      OPEN.set(false);
      return new DetailsLog(null, null, null, null, List.of());
    }
  }

  /** The details log open now (an inactive one when none is). */
  static DetailsLog current() {
    return current;
  }

  private static DetailsLog route() {
    if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
      return new DetailsLog(null, null, null, null, List.of());
    }
    Configuration config = ctx.getConfiguration();
    LoggerConfig own = config.getLoggers().get(OWN_LOGGER);
    if (own == null || !(config.getAppender(SHIPPED_CONSOLE) instanceof ConsoleAppender)) {
      return new DetailsLog(null, null, null, null, List.of());
    }
    Path file = directory().resolve("ais-distill-"
        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + ProcessHandle.current().pid() + ".log").toAbsolutePath();
    FileAppender fa = FileAppender.newBuilder().setName(FILE_APPENDER).withFileName(file.toString())
        .withAppend(true).withCreateOnDemand(true).setConfiguration(config)
        .setLayout(PatternLayout.newBuilder().withConfiguration(config)
            .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %p [%t] %c: %m%n%ex").build())
        .build();
    ConsoleAppender ca = ConsoleAppender.newBuilder().setName(CONSOLE_APPENDER)
        .setTarget(ConsoleAppender.Target.SYSTEM_ERR).setFollow(true).setConfiguration(config)
        .setLayout(PatternLayout.newBuilder().withConfiguration(config)
            .withPattern("%d{HH:mm:ss} %p %c{1}: %m%n").withAlwaysWriteExceptions(false).build())
        .build();
    fa.start();
    ca.start();
    config.addAppender(fa);
    config.addAppender(ca);
    List<LoggerConfig> loggers = new ArrayList<>(config.getLoggers().values());
    if (!loggers.contains(config.getRootLogger())) {
      loggers.add(config.getRootLogger());
    }
    List<Replaced> replaced = new ArrayList<>();
    for (LoggerConfig lc : loggers) {
      Map<String, Appender> consoles = new LinkedHashMap<>();
      lc.getAppenders().forEach((name, a) -> {
        if (a instanceof ConsoleAppender) {
          consoles.put(name, a);
        }
      });
      if (consoles.isEmpty()) {
        continue;
      }
      List<AppenderRef> refs = lc.getAppenderRefs().stream().filter(r -> consoles.containsKey(r.getRef())).toList();
      consoles.keySet().forEach(lc::removeAppender);
      lc.addAppender(fa, null, null);
      replaced.add(new Replaced(lc, consoles, refs));
    }
    own.addAppender(ca, null, null);
    ctx.updateLoggers();
    return new DetailsLog(file, ctx, fa, ca, replaced);
  }

  /** {@value #DIR_ENV}, else {@value #DIR_PROPERTY}, else java.io.tmpdir. */
  static Path directory() {
    String d = System.getenv(DIR_ENV);
    if (d == null || d.isBlank()) {
      d = System.getProperty(DIR_PROPERTY);
    }
    if (d == null || d.isBlank()) {
      d = System.getProperty("java.io.tmpdir");
    }
    return Path.of(d);
  }

  /** Whether the logging is routed to the file (false: everything goes where the configuration says). */
  public boolean active() {
    return file != null;
  }

  /** The log file when this log is active and something was written to it, else null. */
  public Path file() {
    return file != null && Files.isRegularFile(file) ? file : null;
  }

  /**
   * Writes a command's failure and its stack trace to the file (nothing when inactive).
   *
   * @param line the one-line reason printed on the console
   */
  public void logFailure(String line, Throwable failure) {
    if (active()) {
      LogManager.getLogger(FAILURE_LOGGER).log(Level.ERROR, line, failure);
    }
  }

  /** Puts the logging configuration back as it was before {@link #open} (nothing when inactive). */
  @Override
  public void close() {
    if (!active()) {
      return;
    }
    try {
      for (Replaced r : replaced) {
        r.logger().removeAppender(FILE_APPENDER);
        for (AppenderRef ref : r.refs()) {
          Appender a = r.appenders().get(ref.getRef());
          r.logger().addAppender(a, ref.getLevel(), ref.getFilter());
        }
      }
      Configuration config = ctx.getConfiguration();
      LoggerConfig own = config.getLoggers().get(OWN_LOGGER);
      if (own != null) {
        own.removeAppender(CONSOLE_APPENDER);
      }
      ctx.updateLoggers();
      if (config instanceof AbstractConfiguration ac) {
        ac.removeAppender(FILE_APPENDER);
        ac.removeAppender(CONSOLE_APPENDER);
      }
      fileAppender.stop();
      consoleAppender.stop();
    } finally {
      current = new DetailsLog(null, null, null, null, List.of());
      OPEN.set(false);
    }
  }
}
