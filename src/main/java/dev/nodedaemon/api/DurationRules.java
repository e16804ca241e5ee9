package dev.nodedaemon.api;

/** The CEL rule shared by duration fields: Go-style, in whole seconds, minutes and hours. */
final class DurationRules {

  private DurationRules() {}

  static final String WELL_FORMED =
      "self.matches('^([0-9]+(s|m|h))+$') && duration(self) >= duration('0s')";

  /** Bounds the rule's cost estimate; "999h59m59s" is 10 characters. */
  static final int MAX_LENGTH = 16;

  static final String MESSAGE = "must be a duration such as 90s, 10m or 1h30m";
}
