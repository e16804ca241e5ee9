package dev.nodedaemon.api;

/** The CEL rule shared by every int-or-percent field: a count, or a whole percentage. */
final class IntOrPercentRules {

  private IntOrPercentRules() {}

  static final String WELL_FORMED =
      "type(self) == int ? self >= 0"
          + " : (self.matches('^[0-9]{1,3}%$') && int(self.replace('%', '')) <= 100)";

  static final String MESSAGE =
      "must be a non-negative integer or a percentage from 0% to 100%, such as 1 or 10%";

  static final String POSITIVE =
      "type(self) == int ? self >= 1"
          + " : (self.matches('^[0-9]{1,3}%$') && int(self.replace('%', '')) >= 1"
          + " && int(self.replace('%', '')) <= 100)";

  static final String POSITIVE_MESSAGE =
      "must be a positive integer or a percentage from 1% to 100%, such as 1 or 10%";
}
