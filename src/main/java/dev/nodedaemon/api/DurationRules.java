package dev.nodedaemon.api;

/** The CEL rule shared by duration fields: Go-style, in whole seconds, minutes and hours. */
final class DurationRules {

  private DurationRules() {}

  static final String WELL_FORMED = "self.matches('^([0-9]+(s|m|h))+$')";

  static final String MESSAGE = "must be a duration such as 90s, 10m or 1h30m";
}
