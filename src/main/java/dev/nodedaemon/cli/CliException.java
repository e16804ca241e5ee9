package dev.nodedaemon.cli;

/** A failure the user can act on: printed as {@code error: <message>}, exits with its code. */
final class CliException extends RuntimeException {

  private final int exitCode;

  CliException(String message) {
    this(message, ExitCodes.FAILED);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
