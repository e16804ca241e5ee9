package dev.nodedaemon.cli;

/**
 * A failure the user can act on: printed as {@code error: <message>} (or, for the API server's
 * answer, as kubectl prints it), exits with its code.
 */
final class CliException extends RuntimeException {

  private final int exitCode;
  private final boolean fromServer;

  CliException(String message) {
    this(message, ExitCodes.FAILED);
  }

  CliException(String message, int exitCode) {
    this(message, exitCode, false);
  }

  private CliException(String message, int exitCode, boolean fromServer) {
    super(message);
    this.exitCode = exitCode;
    this.fromServer = fromServer;
  }

  /** The API server's answer in kubectl's words ({@code Error from server (NotFound): ...}). */
  static CliException fromServer(String message) {
    return new CliException(message, ExitCodes.FAILED, true);
  }

  /** What the user sees: the message, after {@code error: } unless the server said it. */
  String line() {
    return fromServer ? getMessage() : "error: " + getMessage();
  }

  int exitCode() {
    return exitCode;
  }
}
