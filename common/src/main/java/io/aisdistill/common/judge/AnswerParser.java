package io.aisdistill.common.judge;

import io.aisdistill.common.qa.WindowFacts;
import io.aisdistill.common.qa.WindowFacts.Fact;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the value of one {@link WindowFacts} fact out of a free answer text, independently of any
 * machine-readable claim, so answers from any teacher can be checked.
 *
 * <p>Numbers: the first number written with a unit of the fact's dimension wins, converted to the
 * fact's unit; without any such unit, the first bare number is taken in the fact's own unit.
 * Recognized units: speed "kn", "knot(s)", "kt(s)", "km/h" (/1.852), "m/s" (x 3600/1852);
 * distance "nm", "NM", "nmi", "nautical mile(s)", "km" and "kilometre(s)" (/1.852), "m" / "metre(s)"
 * (/1852); angle "°", "deg", "degree(s)"; length "m", "metre(s)/meter(s)", "ft"/"feet" (x 0.3048);
 * percent "%", "percent", "per cent". Durations read the first compound expression of
 * number-unit parts (days, h / hr(s) / hour(s), min / minute(s), s / sec(s) / second(s)),
 * e.g. "1 h 35 min", "1 hour and 5 minutes", "65 min", "1.5 hours". Times of day read the first
 * "H:MM" or "HH:MM:SS" as seconds since midnight (UTC as written). Counts take the first whole
 * number, or 0 for "no" / "none" / "zero" when the text has no digit. Categories: the first
 * vocabulary term of the fact ({@link WindowFacts#findTerm}). Yes/no: a leading "yes" or "no".
 */
public final class AnswerParser {
  private AnswerParser() {}

  private static final String NUM = "(\\d+(?:\\.\\d+)?)";
  private static final Pattern BARE = Pattern.compile("(?<![\\w.])" + NUM + "(?![\\d])");
  private static final Pattern SPEED = Pattern.compile(
      NUM + "\\s*(knots?|kts?|kn|km/h|kph|m/s)(?![a-z])", Pattern.CASE_INSENSITIVE);
  private static final Pattern DISTANCE = Pattern.compile(
      NUM + "\\s*(nautical\\s+miles?|nmi|nm|n\\.m\\.|kilomet(?:re|er)s?|km|met(?:re|er)s?|m)(?![a-z])",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ANGLE = Pattern.compile(NUM + "\\s*(°|degrees?|deg)(?![a-z])",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern LENGTH = Pattern.compile(NUM + "\\s*(met(?:re|er)s?|m|feet|ft)(?![a-z])",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern PERCENT = Pattern.compile(NUM + "\\s*(%|percent|per\\s+cent)",
      Pattern.CASE_INSENSITIVE);
  private static final String DUR_UNIT = "(days?|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])";
  private static final Pattern DUR_PART = Pattern.compile(NUM + "\\s*" + DUR_UNIT, Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile(
      NUM + "\\s*" + DUR_UNIT + "(?:\\s*(?:,|and|,\\s*and)?\\s*" + NUM + "\\s*" + DUR_UNIT + ")*",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CLOCK = Pattern.compile("(?<![\\d:])([01]?\\d|2[0-3]):([0-5]\\d)(?::([0-5]\\d))?(?![\\d:])");
  private static final Map<String, Long> WORDS = Map.of("no", 0L, "none", 0L, "zero", 0L, "one", 1L,
      "two", 2L, "three", 3L, "four", 4L, "five", 5L);

  /**
   * The value of {@code fact} stated in {@code answer}: a {@code Double} in the fact's unit for
   * number facts (a {@code Long} for counts), the canonical label for categories, "yes"/"no" for
   * yes/no facts; null when the text states none (or {@code answer} is null).
   */
  public static Object parse(Fact fact, String answer) {
    if (answer == null || answer.isBlank()) {
      return null;
    }
    String text = answer.replaceAll("(?<=\\d),(?=\\d{3}\\b)", "");
    return switch (fact.kind()) {
      case CATEGORY -> WindowFacts.findTerm(fact.vocabulary(), text);
      case YES_NO -> yesNo(text);
      case NUMBER -> number(fact, text);
    };
  }

  private static String yesNo(String text) {
    String n = WindowFacts.normalize(text);
    if (n.equals("yes") || n.startsWith("yes ")) {
      return "yes";
    }
    if (n.equals("no") || n.startsWith("no ")) {
      return "no";
    }
    return null;
  }

  private static Object number(Fact fact, String text) {
    return switch (fact.unit()) {
      case KNOTS -> unitOrBare(SPEED, text, AnswerParser::speedFactor);
      case NM -> unitOrBare(DISTANCE, text, AnswerParser::distanceFactor);
      case DEGREES -> unitOrBare(ANGLE, text, u -> 1.0);
      case METRES -> unitOrBare(LENGTH, text, u -> u.startsWith("f") ? 0.3048 : 1.0);
      case PERCENT -> unitOrBare(PERCENT, text, u -> 1.0);
      case MINUTES -> duration(text, 60.0);
      case SECONDS -> duration(text, 1.0);
      case TIME -> clock(text);
      default -> count(text);
    };
  }

  private static Double unitOrBare(Pattern p, String text, java.util.function.Function<String, Double> factor) {
    Matcher m = p.matcher(text);
    if (m.find()) {
      return Double.parseDouble(m.group(1)) * factor.apply(m.group(2).toLowerCase(Locale.ROOT));
    }
    Matcher b = BARE.matcher(text);
    return b.find() ? Double.parseDouble(b.group(1)) : null;
  }

  private static double speedFactor(String u) {
    return switch (u) {
      case "km/h", "kph" -> 1 / 1.852;
      case "m/s" -> 3600.0 / 1852.0;
      default -> 1.0;
    };
  }

  private static double distanceFactor(String u) {
    if (u.startsWith("k")) {
      return 1 / 1.852;
    }
    if (u.equals("m") || u.startsWith("met")) {
      return 1 / 1852.0;
    }
    return 1.0;
  }

  private static Double duration(String text, double secondsPerUnit) {
    Matcher m = DURATION.matcher(text);
    if (m.find()) {
      double seconds = 0;
      Matcher part = DUR_PART.matcher(m.group());
      while (part.find()) {
        seconds += Double.parseDouble(part.group(1)) * unitSeconds(part.group(2).toLowerCase(Locale.ROOT));
      }
      return seconds / secondsPerUnit;
    }
    Matcher b = BARE.matcher(text);
    return b.find() ? Double.parseDouble(b.group(1)) : null;
  }

  /** The first time of day "H:MM" or "HH:MM:SS" as seconds since midnight, null when none. */
  private static Double clock(String text) {
    Matcher m = CLOCK.matcher(text);
    if (!m.find()) {
      return null;
    }
    int sec = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return (double) (Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + sec);
  }

  private static double unitSeconds(String u) {
    if (u.startsWith("d")) {
      return 86400;
    }
    if (u.startsWith("h")) {
      return 3600;
    }
    if (u.startsWith("m")) {
      return 60;
    }
    return 1;
  }

  private static Long count(String text) {
    Matcher b = BARE.matcher(text);
    while (b.find()) {
      if (!b.group(1).contains(".")) {
        return Long.parseLong(b.group(1));
      }
    }
    for (String word : WindowFacts.normalize(text).split(" ")) {
      if (WORDS.containsKey(word)) {
        return WORDS.get(word);
      }
    }
    return null;
  }
}
