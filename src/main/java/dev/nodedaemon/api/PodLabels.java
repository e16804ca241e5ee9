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

  /**
   * Label on a pre-pull pod (rollingUpdate.prePull): the name of its NodeDaemon. Pre-pull pods
   * carry neither {@link #NODEDAEMON_LABEL} nor the template's labels, so no daemon-pod count,
   * selector or adoption ever sees them.
   */
  public static final String PREPULL_LABEL = "nodedaemon.dev/prepull-for";

  /** Label on a pre-pull pod: the revision hash whose images it pulls. */
  public static final String PREPULL_REVISION_LABEL = "nodedaemon.dev/prepull-revision";

  private static final int MAX_NAME = 253;

  /**
   * The pod's name: deterministic per NodeDaemon, node and revision, so a node never gets two pods
   * of one revision (a second create is refused as "already exists").
   */
  public static String podName(String nodeDaemonName, String nodeName, String revisionHash) {
    String suffix = "-" + shortHash(nodeName) + "-" + revisionHash;
    String prefix = nodeDaemonName;
    if (prefix.length() + suffix.length() > MAX_NAME) {
      prefix = prefix.substring(0, MAX_NAME - suffix.length());
    }
    return prefix + suffix;
  }

  /** A pre-pull pod's name: {@code <nodedaemon>-prepull-<node hash>-<revision>}. */
  public static String prePullPodName(String nodeDaemonName, String nodeName, String revisionHash) {
    return podName(nodeDaemonName + "-prepull", nodeName, revisionHash);
  }

  private static String shortHash(String value) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
