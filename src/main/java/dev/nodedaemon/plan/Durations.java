package dev.nodedaemon.plan;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the API's duration strings ("90s", "10m", "1h30m"), the subset of Go's durations the CRD
 * admits (see the api package's DurationRules).
 */
public final class Durations {

  private static final Pattern WHOLE = Pattern.compile("^([0-9]+[smh])+$");
  private static final Pattern PART = Pattern.compile("([0-9]+)([smh])");

  private Durations() {}

  /** The duration, or empty when absent or not in the admitted form. */
  public static Optional<Duration> parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
              });
    }
    return Optional.of(total);
  }

  /** "10m", "1h30m", "45s": the shortest form, for messages. */
  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    StringBuilder text = new StringBuilder();
    if (seconds >= 3600) {
      text.append(seconds / 3600).append('h');
      seconds %= 3600;
    }
    if (seconds >= 60) {
      text.append(seconds / 60).append('m');
      seconds %= 60;
    }
    if (seconds > 0 || text.isEmpty()) {
      text.append(seconds).append('s');
    }
    return text.toString();
  }
}
