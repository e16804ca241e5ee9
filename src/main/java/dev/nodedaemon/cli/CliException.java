package dev.nodedaemon.cli;

/**
 * A failure the user can act on: printed as {@code error: <message>} (or, for the API server's
 * answer, as kubectl prints it), exits with its code.
 */
final class CliException extends RuntimeException {

  private final int exitCode;
  private final boolean verbatim;

  CliException(String message) {
    this(message, ExitCodes.FAILED);
  }

  CliException(String message, int exitCode) {
    this(message, exitCode, false);
  }

  private CliException(String message, int exitCode, boolean verbatim) {
    super(message);
    this.exitCode = exitCode;
    this.verbatim = verbatim;
  }

  /**
   * Printed as it is, in kubectl's words: the API server's answer ({@code Error from server
   * (NotFound): ...}), or kubectl's own sentence for a server that is not there.
   */
  static CliException verbatim(String message) {
    return new CliException(message, ExitCodes.FAILED, true);
  }

  /** What the user sees: the message, after {@code error: } unless the server said it. */
  String line() {
    return verbatim ? getMessage() : "error: " + getMessage();
  }

  int exitCode() {
    return exitCode;
  }
}
