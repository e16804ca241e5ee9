package dev.nodedaemon.testing;

/**
 * One control plane per test JVM: starting one costs seconds, so integration tests share it and
 * isolate themselves by namespace and node labels. It is torn down when the JVM exits.
 */
public final class SharedCluster {

  /** Nodes every shared cluster starts with: node-0 .. node-2, zones a, b, c. */
  public static final int BASE_NODES = 3;

  private static LocalCluster cluster;

  private SharedCluster() {}

  public static synchronized LocalCluster get() {
    if (cluster == null) {
      LocalCluster started = LocalCluster.up("it-" + ProcessHandle.current().pid(), BASE_NODES);
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      cluster = started;
    }
    return cluster;
  }
}
