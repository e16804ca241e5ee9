package dev.nodedaemon.api;

/** How a rollout with a topologyKey walks the domains. */
public enum DomainMode {
  /** One domain at a time: the next starts once every node of the current one is done. */
  Sequential,
  /** Every domain at once, each within its own maxUnavailablePerDomain. */
  Parallel
}
