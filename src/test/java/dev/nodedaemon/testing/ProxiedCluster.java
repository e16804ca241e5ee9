package dev.nodedaemon.testing;

import java.util.Map;

/**
 * A control plane of the fault tests' own, whose operator reaches kube-apiserver only through a
 * {@link FaultProxy}: one per test JVM, started on first use and torn down when the JVM exits.
 * Separate from {@link SharedCluster} because these tests restart kube-apiserver and black it out.
 */
public final class ProxiedCluster {

  private static ProxiedCluster instance;

  private final LocalCluster cluster;
  private final FaultProxy proxy;
  private OperatorProcess operator;
  private int operatorStarts;

  private ProxiedCluster(LocalCluster cluster, FaultProxy proxy) {
    this.cluster = cluster;
    this.proxy = proxy;
  }

  public static synchronized ProxiedCluster get() {
    if (instance == null) {
      LocalCluster cluster = LocalCluster.up("faults-" + ProcessHandle.current().pid(), 0);
      FaultProxy proxy = FaultProxy.start(cluster, "faults");
      ProxiedCluster started = new ProxiedCluster(cluster, proxy);
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      instance = started;
    }
    return instance;
  }

  public LocalCluster cluster() {
    return cluster;
  }

  public FaultProxy proxy() {
    return proxy;
  }

  /** The operator behind the proxy, started (and awaited ready) if none runs. */
  public synchronized OperatorProcess operator() {
    if (operator == null || !operator.isAlive()) {
      operator =
          OperatorProcess.start(
              proxy.kubeconfig(), "faults-" + operatorStarts++, Map.of(), Map.of());
    }
    return operator;
  }

  /**
   * Stops the operator behind the proxy and starts one with extra system properties (short health
   * bounds, say); it serves the next tests too until {@link #stopOperator}, after which {@link
   * #operator} starts one with the defaults again.
   */
  public synchronized OperatorProcess replaceOperator(Map<String, String> props) {
    stopOperator();
    operator =
        OperatorProcess.start(proxy.kubeconfig(), "faults-" + operatorStarts++, props, Map.of());
    return operator;
  }

  /** Stops the operator behind the proxy (SIGTERM), if one runs. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** SIGKILLs the operator, as a crashed node would, and starts a new one. */
  public synchronized OperatorProcess killOperatorAndRestart() {
    operator().kill();
    operator = null;
    return operator();
  }

  private synchronized void close() {
    if (operator != null) {
      operator.close();
    }
    proxy.close();
    cluster.close();
  }
}
