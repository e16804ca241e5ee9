package dev.nodedaemon.testing;

import java.time.Duration;
import java.util.Map;

/**
 * The operator process the integration tests of one JVM share, against {@link SharedCluster}. Only
 * one runs at a time (without leader election two would both write); tests that restart or kill it
 * do so through here, so the next test finds it running again.
 */
public final class SharedOperator {

  private static OperatorProcess operator;
  private static int starts;

  private SharedOperator() {}

  public static synchronized OperatorProcess get() {
    if (operator == null || !operator.isAlive()) {
      operator = OperatorProcess.start(SharedCluster.get(), "shared-" + starts++, Map.of());
      OperatorProcess started = operator;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
    }
    return operator;
  }

  /** SIGKILLs the operator, as a crashed node would, and starts a new one. */
  public static synchronized OperatorProcess killAndRestart() {
    get().kill();
    operator = null;
    return get();
  }

  /** Stops the shared operator, for a test that runs an operator of its own. */
  public static synchronized void stop() {
    if (operator != null && operator.isAlive()) {
      operator.stop(Duration.ofSeconds(30));
    }
    operator = null;
  }

  /** SIGTERM and wait, then start again. */
  public static synchronized OperatorProcess restart() {
    get().stop(Duration.ofSeconds(30));
    operator = null;
    return get();
  }
}
