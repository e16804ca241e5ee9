package dev.nodedaemon.cli;

/** The plugin's exit codes; {@link Main}'s help footer explains them to users. */
final class ExitCodes {

  private ExitCodes() {}

  static final int OK = 0;

  /** The rollout failed, or the command could not be carried out. */
  static final int FAILED = 1;

  /** Bad arguments (picocli's own code for them). */
  static final int USAGE = 2;

  /** {@code status} stopped before the rollout finished: timeout, or {@code --watch=false}. */
  static final int NOT_COMPLETE = 3;
}
