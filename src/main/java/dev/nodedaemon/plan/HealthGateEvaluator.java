package dev.nodedaemon.plan;

import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.GateFailureAction;
import dev.nodedaemon.api.HealthGates;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.PodHealth;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The health gates: checks every pod of the update revision must pass, in every step and batch of a
 * rollout. Pure.
 *
 * <p>A node fails when its update-revision pod shows, in this order:
 *
 * <ol>
 *   <li>a container waiting for a reason that waiting does not fix ({@link
 *       PodHealth#HARD_WAITING_REASONS}: CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...);
 *   <li>a container last terminated by OOMKilled;
 *   <li>more container restarts since the update than {@code maxRestarts} (for a pod updated in
 *       place, restarts before the patch are not counted);
 *   <li>not Ready {@code readyTimeout} after the update (an unscheduled pod is the progress
 *       deadline's business: no room on a node is not the agent's fault);
 *   <li>its node NotReady, having turned so after the pod was updated and within {@code
 *       nodeNotReadyWindow} of it: the new pod may have broken the node.
 * </ol>
 *
 * <p>Invariants: a verdict is about one update revision; failures are sticky within it (a node that
 * failed stays failed though its pod recovers between two crashes), and a new revision starts with
 * none. The rollout stops when failed nodes reach the threshold, which is at least 1.
 */
public final class HealthGateEvaluator {

  /** Pods annotated with this were updated in place at that time (the operator's clock). */
  public static final String UPDATED_AT_ANNOTATION = "nodedaemon.dev/updated-at";

  /** Pods updated in place carry their restart count from before the patch. */
  public static final String RESTARTS_BEFORE_ANNOTATION = "nodedaemon.dev/restarts-before-update";

  /** status.rollout.gateFailures holds at most this many nodes; failedNodes counts them all. */
  public static final int MAX_LISTED_FAILURES = 20;

  private HealthGateEvaluator() {}

  /** The gates' settings with their defaults filled in. */
  public record Settings(
      boolean enabled,
      int maxRestarts,
      Duration readyTimeout,
      Duration nodeNotReadyWindow,
      IntOrString maxFailedNodes,
      GateFailureAction onFailure) {

    public static final int DEFAULT_MAX_RESTARTS = 2;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_NODE_NOT_READY_WINDOW = Duration.ofMinutes(5);

    public static Settings of(HealthGates gates) {
      HealthGates g = gates == null ? new HealthGates() : gates;
      return new Settings(
          !Boolean.FALSE.equals(g.getEnabled()),
          g.getMaxRestarts() == null ? DEFAULT_MAX_RESTARTS : g.getMaxRestarts(),
          Durations.parse(g.getReadyTimeout()).orElse(DEFAULT_READY_TIMEOUT),
          Durations.parse(g.getNodeNotReadyWindow()).orElse(DEFAULT_NODE_NOT_READY_WINDOW),
          g.getMaxFailedNodes() == null ? new IntOrString(1) : g.getMaxFailedNodes(),
          g.getOnFailure() == null ? GateFailureAction.Rollback : g.getOnFailure());
    }

    /** Failed nodes that stop the rollout, of {@code target} nodes; never below 1. */
    public int threshold(int target) {
      return Math.max(1, RollingUpdatePlanner.scaled(maxFailedNodes, target, 1));
    }
  }

  /**
   * @param failures the failed nodes of this revision, the first seen first (at most {@link
   *     #MAX_LISTED_FAILURES})
   * @param failedNodes how many nodes failed in all
   * @param threshold how many stop the rollout
   * @param fresh failures first seen in this step, for their events
   */
  public record Verdict(
      List<GateFailure> failures, int failedNodes, int threshold, List<GateFailure> fresh) {

    public static Verdict passing(int threshold) {
      return new Verdict(List.of(), 0, threshold, List.of());
    }

    public boolean failed() {
      return failedNodes >= threshold;
    }
  }

  /**
   * Evaluates the gates on the update revision's pods.
   *
   * @param updatedPods the update-revision pod of each node that has one
   * @param forget true when the user asked to retry the revision: earlier failures are dropped
   */
  public static Verdict evaluate(
      PlanInput input, Map<String, Pod> updatedPods, int target, boolean forget) {
    Settings settings = Settings.of(input.nodeDaemon().getSpec().getHealthGates());
    int threshold = settings.threshold(target);
    if (!settings.enabled()) {
      return Verdict.passing(threshold);
    }
    Map<String, GateFailure> byNode = new LinkedHashMap<>();
    int previousCount = 0;
    RolloutProgress previous = previousProgress(input);
    if (!forget && previous != null && input.updateRevision().equals(previous.getRevision())) {
      if (previous.getGateFailures() != null) {
        previous.getGateFailures().forEach(f -> byNode.putIfAbsent(f.getNode(), f));
      }
      previousCount = previous.getFailedNodes() == null ? 0 : previous.getFailedNodes();
    }
    int known = byNode.size();
    List<GateFailure> fresh = new ArrayList<>();
    for (Map.Entry<String, Pod> entry : updatedPods.entrySet()) {
      String node = entry.getKey();
      if (byNode.containsKey(node)) {
        continue;
      }
      Optional<GateFailure> failure =
          check(settings, node, entry.getValue(), input.snapshot().nodes().get(node), input.now());
      failure.ifPresent(
          f -> {
            byNode.put(node, f);
            fresh.add(f);
          });
    }
    int failedNodes = Math.max(previousCount, known) + fresh.size();
    List<GateFailure> listed = new ArrayList<>(byNode.values());
    if (listed.size() > MAX_LISTED_FAILURES) {
      listed = listed.subList(0, MAX_LISTED_FAILURES);
    }
    return new Verdict(List.copyOf(listed), failedNodes, threshold, List.copyOf(fresh));
  }

  /** The first gate the pod fails, if any. */
  static Optional<GateFailure> check(
      Settings settings, String nodeName, Pod pod, Node node, Instant now) {
    if (DaemonPods.isTerminating(pod)) {
      return Optional.empty();
    }
    String podName = pod.getMetadata().getName();
    List<ContainerStatus> statuses =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    for (ContainerStatus status : statuses) {
      String waiting =
          status.getState() == null || status.getState().getWaiting() == null
              ? null
              : status.getState().getWaiting().getReason();
      if (waiting != null && PodHealth.HARD_WAITING_REASONS.contains(waiting)) {
        String why = lastTerminated(status).equals("OOMKilled") ? "OOMKilled" : waiting;
        return failure(nodeName, podName, why, containerDetail(status, waiting), now);
      }
      if (lastTerminated(status).equals("OOMKilled") || terminated(status).equals("OOMKilled")) {
        return failure(
            nodeName, podName, "OOMKilled", containerDetail(status, "killed for memory"), now);
      }
    }
    int restarts = -restartsBeforeUpdate(pod);
    for (ContainerStatus status : statuses) {
      restarts += status.getRestartCount() == null ? 0 : status.getRestartCount();
    }
    if (restarts > settings.maxRestarts()) {
      return failure(
          nodeName,
          podName,
          "Restarts",
          restarts
              + " container restarts since the update (more than "
              + settings.maxRestarts()
              + ")",
          now);
    }
    // When the pod was updated is parsed from a timestamp: only for the pods the two checks below
    // concern (a planner pass checks every updated pod; parsing each one's time was its hottest
    // code at 1,000 nodes).
    boolean scheduled =
        pod.getSpec() != null
            && pod.getSpec().getNodeName() != null
            && !pod.getSpec().getNodeName().isEmpty();
    if (scheduled
        && !DaemonPods.isReady(pod)
        && !updatedAt(pod).plus(settings.readyTimeout()).isAfter(now)) {
      return failure(
          nodeName,
          podName,
          "NotReadyInTime",
          "not Ready "
              + settings.readyTimeout().toSeconds()
              + "s after its update ("
              + PodHealth.problemOf(pod).reason()
              + ")",
          now);
    }
    Optional<NodeCondition> nodeReady = readyCondition(node);
    if (nodeReady.isPresent() && !"True".equals(nodeReady.get().getStatus())) {
      Instant updatedAt = updatedAt(pod);
      Instant turned = parse(nodeReady.get().getLastTransitionTime()).orElse(Instant.EPOCH);
      if (!turned.isBefore(updatedAt)
          && !turned.isAfter(updatedAt.plus(settings.nodeNotReadyWindow()))) {
        return failure(
            nodeName,
            podName,
            "NodeNotReady",
            "node turned NotReady ("
                + Optional.ofNullable(nodeReady.get().getReason())
                    .orElse("Ready=" + nodeReady.get().getStatus())
                + ") "
                + Duration.between(updatedAt, turned).toSeconds()
                + "s after its pod was updated",
            now);
      }
    }
    return Optional.empty();
  }

  /** "node-0: CrashLoopBackOff (container agent: ...), node-3: ... and 2 more". */
  public static String describe(List<GateFailure> failures) {
    int shown = Math.min(3, failures.size());
    StringBuilder text = new StringBuilder();
    for (GateFailure f : failures.subList(0, shown)) {
      if (!text.isEmpty()) {
        text.append(", ");
      }
      text.append(f.getNode())
          .append(": ")
          .append(f.getReason())
          .append(" (")
          .append(f.getMessage())
          .append(')');
    }
    if (failures.size() > shown) {
      text.append(" and ").append(failures.size() - shown).append(" more");
    }
    return text.toString();
  }

  /** When the pod began running its revision: its in-place update, or its creation. */
  public static Instant updatedAt(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String inPlace = annotations == null ? null : annotations.get(UPDATED_AT_ANNOTATION);
    return parse(inPlace).orElse(DaemonPods.createdAt(pod));
  }

  /** Whether the node reports Ready=True (a node without the condition counts as ready). */
  public static boolean nodeReady(Node node) {
    return readyCondition(node).map(c -> "True".equals(c.getStatus())).orElse(true);
  }

  private static int restartsBeforeUpdate(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(RESTARTS_BEFORE_ANNOTATION);
    try {
      return value == null ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<NodeCondition> readyCondition(Node node) {
    if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (NodeCondition condition : node.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return Optional.of(condition);
      }
    }
    return Optional.empty();
  }

  private static String lastTerminated(ContainerStatus status) {
    return status.getLastState() == null
            || status.getLastState().getTerminated() == null
            || status.getLastState().getTerminated().getReason() == null
        ? ""
        : status.getLastState().getTerminated().getReason();
  }

  private static String terminated(ContainerStatus status) {
    return status.getState() == null
            || status.getState().getTerminated() == null
            || status.getState().getTerminated().getReason() == null
        ? ""
        : status.getState().getTerminated().getReason();
  }

  private static String containerDetail(ContainerStatus status, String what) {
    int restarts = status.getRestartCount() == null ? 0 : status.getRestartCount();
    return "container "
        + status.getName()
        + ": "
        + what
        + (restarts > 0 ? " (" + restarts + " restarts)" : "");
  }

  private static Optional<GateFailure> failure(
      String node, String pod, String reason, String message, Instant now) {
    return Optional.of(new GateFailure(node, pod, reason, message, now.toString()));
  }

  private static RolloutProgress previousProgress(PlanInput input) {
    NodeDaemonStatus status = input.nodeDaemon().getStatus();
    return status == null ? null : status.getRollout();
  }

  private static Optional<Instant> parse(String time) {
    if (time == null || time.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(time));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
