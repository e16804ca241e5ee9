package dev.nodedaemon.api;

/** How a NodeDaemon replaces its pods when the template changes. */
public enum UpdateStrategyType {
  /** Replace pods node by node within the rolling-update budget. The default. */
  RollingUpdate,
  /** Make a new pod only where someone deleted the old one. */
  OnDelete
}
