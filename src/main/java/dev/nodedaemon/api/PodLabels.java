package dev.nodedaemon.api;

/**
 * The labels and annotations NodeDaemon puts on the pods it owns: part of its API, since selectors,
 * dashboards and other tools read them.
 */
public final class PodLabels {

  private PodLabels() {}

  /** Label on every pod a NodeDaemon owns: the name of that NodeDaemon. */
  public static final String NODEDAEMON_LABEL = "nodedaemon.dev/name";

  /** The revision label the built-in controllers use, so tooling recognises it. */
  public static final String REVISION_LABEL = "controller-revision-hash";

  /** Annotation naming the node the pod was made for, so it is known before scheduling. */
  public static final String NODE_ANNOTATION = "nodedaemon.dev/node";
}
