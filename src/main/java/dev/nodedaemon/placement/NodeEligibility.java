package dev.nodedaemon.placement;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a node should run the daemon pod, the way the built-in DaemonSet controller's
 * {@code NodeShouldRunDaemonPod} does.
 *
 * <ul>
 *   <li>A node outside the template's nodeName, nodeSelector or required node affinity neither runs
 *       nor keeps a pod.
 *   <li>A node with a NoSchedule or NoExecute taint the pod (with the default daemon tolerations)
 *       does not tolerate gets no new pod; an existing pod stays unless a NoExecute taint is
 *       untolerated, because NoExecute is the only effect that evicts a running pod.
 *   <li>PreferNoSchedule taints and cordoning do not matter: cordoned nodes keep their daemon.
 * </ul>
 *
 * Pure: the same node and template always give the same verdict.
 */
public final class NodeEligibility {

  private NodeEligibility() {}

  /** What a node should do with this NodeDaemon's pod. */
  public record Verdict(boolean shouldRun, boolean shouldContinueRunning) {
    public static final Verdict RUN = new Verdict(true, true);
    public static final Verdict KEEP_ONLY = new Verdict(false, true);
    public static final Verdict NONE = new Verdict(false, false);
  }

  public static Verdict decide(Node node, PodSpec template) {
    return decide(node, template, DaemonTolerations.withDefaults(template));
  }

  /**
   * As {@link #decide(Node, PodSpec)} with the template's tolerations (defaults included) worked
   * out once by the caller, for a loop over every node.
   */
  public static Verdict decide(Node node, PodSpec template, List<Toleration> tolerations) {
    String nodeName = node.getMetadata().getName();
    if (template.getNodeName() != null
        && !template.getNodeName().isEmpty()
        && !template.getNodeName().equals(nodeName)) {
      return Verdict.NONE;
    }
    if (!matchesNodeSelector(node, template.getNodeSelector())
        || !matchesRequiredAffinity(node, template)) {
      return Verdict.NONE;
    }
    List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
    if (taints == null || taints.isEmpty()) {
      return Verdict.RUN;
    }
    boolean untoleratedNoExecute = false;
    boolean untoleratedNoSchedule = false;
    for (Taint taint : taints) {
      if (isTolerated(taint, tolerations)) {
        continue;
      }
      if ("NoExecute".equals(taint.getEffect())) {
        untoleratedNoExecute = true;
      } else if ("NoSchedule".equals(taint.getEffect())) {
        untoleratedNoSchedule = true;
      }
    }
    if (untoleratedNoExecute) {
      return Verdict.NONE;
    }
    return untoleratedNoSchedule ? Verdict.KEEP_ONLY : Verdict.RUN;
  }

  static boolean matchesNodeSelector(Node node, Map<String, String> nodeSelector) {
    if (nodeSelector == null || nodeSelector.isEmpty()) {
      return true;
    }
    Map<String, String> labels = labelsOf(node);
    return nodeSelector.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  static boolean matchesRequiredAffinity(Node node, PodSpec template) {
    if (template.getAffinity() == null
        || template.getAffinity().getNodeAffinity() == null
        || template
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
            == null) {
      return true;
    }
    NodeSelector required =
        template
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution();
    List<NodeSelectorTerm> terms = required.getNodeSelectorTerms();
    if (terms == null || terms.isEmpty()) {
      return false;
    }
    // Terms are ORed; inside a term every requirement must hold; an empty term matches nothing.
    return terms.stream().anyMatch(term -> termMatches(node, term));
  }

  private static boolean termMatches(Node node, NodeSelectorTerm term) {
    List<NodeSelectorRequirement> expressions =
        term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    List<NodeSelectorRequirement> fields =
        term.getMatchFields() == null ? List.of() : term.getMatchFields();
    if (expressions.isEmpty() && fields.isEmpty()) {
      return false;
    }
    Map<String, String> labels = labelsOf(node);
    Map<String, String> nodeFields = Map.of("metadata.name", node.getMetadata().getName());
    return expressions.stream().allMatch(r -> requirementHolds(r, labels))
        && fields.stream().allMatch(r -> requirementHolds(r, nodeFields));
  }

  static boolean requirementHolds(NodeSelectorRequirement requirement, Map<String, String> values) {
    String value = values.get(requirement.getKey());
    List<String> wanted = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && wanted.contains(value);
      case "NotIn" -> value == null || !wanted.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" -> compareAsLong(value, wanted) > 0;
      case "Lt" -> compareAsLong(value, wanted) < 0;
      default -> false;
    };
  }

  /** Gt/Lt hold only for one integer value on both sides; anything else never matches. */
  private static int compareAsLong(String value, List<String> wanted) {
    if (value == null || wanted.size() != 1) {
      return 0;
    }
    try {
      return Long.compare(Long.parseLong(value), Long.parseLong(wanted.get(0)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static boolean isTolerated(Taint taint, List<Toleration> tolerations) {
    for (Toleration toleration : tolerations) { // per taint of every node: no stream pipeline
      if (tolerates(toleration, taint)) {
        return true;
      }
    }
    return false;
  }

  /** v1 Toleration.ToleratesTaint. */
  static boolean tolerates(Toleration toleration, Taint taint) {
    if (toleration.getEffect() != null
        && !toleration.getEffect().isEmpty()
        && !toleration.getEffect().equals(taint.getEffect())) {
      return false;
    }
    String key = toleration.getKey() == null ? "" : toleration.getKey();
    String operator = toleration.getOperator() == null ? "Equal" : toleration.getOperator();
    if (key.isEmpty()) {
      return "Exists".equals(operator);
    }
    if (!key.equals(taint.getKey())) {
      return false;
    }
    return switch (operator) {
      case "Exists" -> true;
      case "Equal", "" ->
          (toleration.getValue() == null ? "" : toleration.getValue())
              .equals(taint.getValue() == null ? "" : taint.getValue());
      default -> false;
    };
  }

  private static Map<String, String> labelsOf(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }
}
