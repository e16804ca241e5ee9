package dev.nodedaemon.cli;

import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.RollingUpdatePlanner;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code get}'s tree: each NodeDaemon, its revisions, and the pods of each revision with their
 * node, status and age; the update revision's pods grouped by step when status.rollout names one.
 * Pure: {@link GetCommand} reads the cluster.
 *
 * <pre>
 * NAME                       NODE     STATUS             READY   AGE   INFO
 * agent                               Progressing                12m   step 2/4: 10%, soaking 3m of 10m; 2/10 updated, 2 available
 * ├── revision 3 (2k5xhtg)            update                     5m    fluentd v2.7
 * │   ├── step 1: 1 node
 * │   │   └── agent-a-2k5xhtg  node-0   Running            1/1     5m
 * │   └── step 2: 10%
 * │       └── agent-b-2k5xhtg  node-1   Running            1/1     4m
 * └── revision 2 (6g2lxgk)            stable                     1h
 *     └── agent-c-6g2lxgk      node-2   Running            1/1     1h
 * </pre>
 *
 * <p>Which revisions: the update and current (stable) revisions, every revision a pod still runs,
 * and every revision marked bad; {@code history} lists the rest. Status does not say which step
 * updated which node, so the update revision's pods are grouped in the order they were created
 * against each step's node count (the current step's is the operator's status.rollout.stepNodes).
 */
final class TreeView {

  private TreeView() {}

  /**
   * One NodeDaemon and what it owns: its revisions, its daemon pods and its image pre-pull pods
   * (rollingUpdate.prePull, by the operator's {@code nodedaemon.dev/prepull-for} label).
   */
  record Owned(
      NodeDaemon nodeDaemon, List<Revision> revisions, List<Pod> pods, List<Pod> prePullPods) {

    Owned(NodeDaemon nodeDaemon, List<Revision> revisions, List<Pod> pods) {
      this(nodeDaemon, revisions, pods, List.of());
    }
  }

  static final List<String> HEADER = List.of("NAME", "NODE", "STATUS", "READY", "AGE", "INFO");

  /** The whole table; with {@code allNamespaces}, a NAMESPACE column first. */
  static String render(List<Owned> nodeDaemons, Instant now, boolean allNamespaces) {
    List<List<String>> rows = new ArrayList<>();
    for (Owned owned : nodeDaemons) {
      List<List<String>> tree = rows(owned, now);
      for (int i = 0; i < tree.size(); i++) {
        if (allNamespaces) {
          List<String> withNamespace = new ArrayList<>();
          // The namespace on the NodeDaemon's row only: the tree below is in it.
          withNamespace.add(i == 0 ? owned.nodeDaemon().getMetadata().getNamespace() : "");
          withNamespace.addAll(tree.get(i));
          rows.add(withNamespace);
        } else {
          rows.add(tree.get(i));
        }
      }
    }
    List<String> header = new ArrayList<>();
    if (allNamespaces) {
      header.add("NAMESPACE");
    }
    header.addAll(HEADER);
    return Output.table(header, rows);
  }

  /** The rows of one NodeDaemon: itself, then its revisions as a tree. */
  static List<List<String>> rows(Owned owned, Instant now) {
    NodeDaemon nodeDaemon = owned.nodeDaemon();
    NodeDaemonStatus status = nodeDaemon.getStatus();
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            nodeDaemon.getMetadata().getName(),
            "",
            status == null || status.getPhase() == null ? "Unknown" : status.getPhase().name(),
            "",
            Output.age(Output.instant(nodeDaemon.getMetadata().getCreationTimestamp()), now),
            info(nodeDaemon, now)));
    String update = status == null ? null : status.getUpdateRevision();
    String stable = status == null ? null : status.getCurrentRevision();
    Map<String, List<Pod>> podsByHash = new HashMap<>();
    for (Pod pod : owned.pods()) {
      podsByHash.computeIfAbsent(DaemonPods.revision(pod), h -> new ArrayList<>()).add(pod);
    }
    List<Revision> shown =
        owned.revisions().stream()
            .filter(
                r ->
                    Objects.equals(r.hash(), update)
                        || Objects.equals(r.hash(), stable)
                        || r.markedBad()
                        || podsByHash.containsKey(r.hash()))
            .sorted(
                Comparator.comparing((Revision r) -> !Objects.equals(r.hash(), update))
                    .thenComparing(Comparator.comparingLong(Revision::revision).reversed()))
            .toList();
    Map<String, GateFailure> failedPods = failedPods(status);
    // The update revision's pre-pull pods come last, under the revisions (PrePullView decides
    // which pods count and their state, as `nodes` and `status` show them).
    Map<String, PrePullView.Pull> pulls = PrePullView.of(owned.prePullPods(), update);
    boolean orphans = orphans(podsByHash, shown);
    for (int i = 0; i < shown.size(); i++) {
      Revision revision = shown.get(i);
      boolean last = i == shown.size() - 1 && !orphans && pulls.isEmpty();
      String branch = last ? "└── " : "├── ";
      String indent = last ? "    " : "│   ";
      rows.add(
          List.of(
              branch + "revision " + revision.label(),
              "",
              revisionStatus(revision, update, stable),
              "",
              Output.age(Output.instant(revision.created()), now),
              revision.markedBad()
                  ? "marked bad: " + revision.bad()
                  : revision.changeCause() == null ? "" : revision.changeCause()));
      List<Pod> pods = sortedByCreation(podsByHash.getOrDefault(revision.hash(), List.of()));
      Optional<List<StepGroup>> steps =
          Objects.equals(revision.hash(), update) ? steps(nodeDaemon, pods) : Optional.empty();
      if (steps.isPresent()) {
        List<StepGroup> groups = steps.get();
        for (int g = 0; g < groups.size(); g++) {
          boolean lastGroup = g == groups.size() - 1;
          StepGroup group = groups.get(g);
          rows.add(
              List.of(
                  indent + (lastGroup ? "└── " : "├── ") + group.title(),
                  "",
                  group.current() ? "current" : "",
                  "",
                  "",
                  ""));
          podRows(rows, group.pods(), indent + (lastGroup ? "    " : "│   "), failedPods, now);
        }
      } else {
        podRows(rows, pods, indent, failedPods, now);
      }
    }
    // Pods of a revision no longer kept (or without a revision label): shown, never hidden.
    List<Pod> unknown =
        owned.pods().stream()
            .filter(
                p ->
                    shown.stream().noneMatch(r -> Objects.equals(r.hash(), DaemonPods.revision(p))))
            .toList();
    if (!unknown.isEmpty()) {
      boolean last = pulls.isEmpty();
      rows.add(List.of((last ? "└── " : "├── ") + "revision ? (not kept)", "", "", "", "", ""));
      podRows(rows, sortedByCreation(unknown), last ? "    " : "│   ", failedPods, now);
    }
    if (!pulls.isEmpty()) {
      rows.add(
          List.of(
              "└── pre-pull of revision "
                  + Revision.withHash(owned.revisions(), update)
                      .map(Revision::label)
                      .orElse(update),
              "",
              "",
              "",
              "",
              ""));
      prePullRows(rows, pulls, owned.prePullPods(), now);
    }
    return rows;
  }

  /** A line per pre-pull pod, by node: its state (pulled, pulling, failed (reason)). */
  private static void prePullRows(
      List<List<String>> rows, Map<String, PrePullView.Pull> pulls, List<Pod> pods, Instant now) {
    Map<String, Pod> byName = new HashMap<>();
    pods.forEach(pod -> byName.put(pod.getMetadata().getName(), pod));
    List<PrePullView.Pull> byNode = List.copyOf(pulls.values());
    for (int p = 0; p < byNode.size(); p++) {
      PrePullView.Pull pull = byNode.get(p);
      Pod pod = byName.get(pull.pod());
      rows.add(
          List.of(
              "    " + (p == byNode.size() - 1 ? "└── " : "├── ") + pull.pod(),
              pull.node(),
              pull.cell(),
              PodReason.readyCount(pod),
              Output.age(Output.instant(pod.getMetadata().getCreationTimestamp()), now),
              pull.message() == null ? "" : pull.message()));
    }
  }

  private static boolean orphans(Map<String, List<Pod>> podsByHash, List<Revision> shown) {
    return podsByHash.keySet().stream()
        .anyMatch(hash -> shown.stream().noneMatch(r -> Objects.equals(r.hash(), hash)));
  }

  private static void podRows(
      List<List<String>> rows,
      List<Pod> pods,
      String indent,
      Map<String, GateFailure> failedPods,
      Instant now) {
    for (int p = 0; p < pods.size(); p++) {
      Pod pod = pods.get(p);
      PodReason reason = PodReason.of(pod);
      GateFailure failed = failedPods.get(pod.getMetadata().getName());
      List<String> info = new ArrayList<>();
      if (failed != null) {
        info.add("failed health gate: " + failed.getReason());
      }
      int restarts = restarts(pod);
      if (restarts > 0) {
        info.add("restarts " + restarts);
      }
      rows.add(
          List.of(
              indent + (p == pods.size() - 1 ? "└── " : "├── ") + pod.getMetadata().getName(),
              DaemonPods.targetNode(pod).orElse("<none>"),
              reason.reason().isEmpty() ? "Running" : reason.reason(),
              PodReason.readyCount(pod),
              Output.age(Output.instant(pod.getMetadata().getCreationTimestamp()), now),
              String.join(", ", info)));
    }
  }

  /** The NodeDaemon's one-line summary: step, progress, freeze, hold, gates. */
  static String info(NodeDaemon nodeDaemon, Instant now) {
    NodeDaemonStatus status = nodeDaemon.getStatus();
    if (status == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    StepView.of(nodeDaemon).ifPresent(step -> parts.add(step.describe(now)));
    int updated =
        status.getUpdatedNumberScheduled() == null ? 0 : status.getUpdatedNumberScheduled();
    parts.add(
        updated
            + "/"
            + RolloutState.target(status)
            + " updated, "
            + RolloutState.updatedAvailable(status)
            + " available");
    if (RolloutState.frozen(nodeDaemon)) {
      parts.add("frozen");
    }
    RolloutState.hold(status).ifPresent(c -> parts.add("held: " + c.getReason()));
    RolloutState.automaticRollback(status)
        .ifPresent(
            r ->
                parts.add(
                    "rolled back from revision "
                        + r.getFromRevision()
                        + " ("
                        + r.getReason()
                        + ")"));
    RolloutProgress rollout = status.getRollout();
    if (rollout != null && rollout.getFailedNodes() != null && rollout.getFailedNodes() > 0) {
      parts.add(
          rollout.getFailedNodes()
              + (rollout.getFailedNodes() == 1 ? " node" : " nodes")
              + " failed health gates"
              + (rollout.getFailedNodesThreshold() == null
                  ? ""
                  : " (threshold " + rollout.getFailedNodesThreshold() + ")"));
    }
    return String.join("; ", parts);
  }

  private static String revisionStatus(Revision revision, String update, String stable) {
    List<String> words = new ArrayList<>();
    if (Objects.equals(revision.hash(), update)) {
      words.add("update");
    }
    if (Objects.equals(revision.hash(), stable)) {
      words.add("stable");
    }
    if (revision.markedBad()) {
      words.add("bad");
    }
    return words.isEmpty() ? "old" : String.join(", ", words);
  }

  /** A step and the update revision's pods grouped under it. */
  record StepGroup(String title, boolean current, List<Pod> pods) {}

  /**
   * The update revision's pods by step: the k-th pod (oldest first) belongs to the first step whose
   * node count exceeds k. Steps after the current one are not shown.
   */
  static Optional<List<StepGroup>> steps(NodeDaemon nodeDaemon, List<Pod> pods) {
    Optional<StepView> at = StepView.of(nodeDaemon);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    int current = at.get().step();
    List<RolloutStep> specSteps =
        PromoteCommand.rollingUpdate(nodeDaemon) == null
                || PromoteCommand.rollingUpdate(nodeDaemon).getSteps() == null
            ? List.of()
            : PromoteCommand.rollingUpdate(nodeDaemon).getSteps();
    NodeDaemonStatus status = nodeDaemon.getStatus();
    int desired =
        status.getDesiredNumberScheduled() == null ? 0 : status.getDesiredNumberScheduled();
    List<StepGroup> groups = new ArrayList<>();
    int from = 0;
    for (int step = 1; step <= current; step++) {
      int bound;
      String title;
      if (step == current || step > specSteps.size()) {
        bound = at.get().stepNodes() == null ? pods.size() : at.get().stepNodes();
        title = step == current ? at.get().label().replaceFirst("/\\d+:", ":") : "step " + step;
      } else {
        RolloutStep spec = specSteps.get(step - 1);
        bound = RollingUpdatePlanner.scaled(spec.getNodes(), desired, 0);
        title = "step " + step + ": " + StepView.words(spec.getNodes());
      }
      int to = step == current ? pods.size() : Math.min(pods.size(), Math.max(from, bound));
      groups.add(new StepGroup(title, step == current, List.copyOf(pods.subList(from, to))));
      from = to;
    }
    return Optional.of(groups);
  }

  /** Oldest first (the order a rollout reached them); pods of one second by node name. */
  private static List<Pod> sortedByCreation(List<Pod> pods) {
    return pods.stream()
        .sorted(
            Comparator.comparing(
                    (Pod p) ->
                        Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(p -> DaemonPods.targetNode(p).orElse(""))
                .thenComparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static Map<String, GateFailure> failedPods(NodeDaemonStatus status) {
    Map<String, GateFailure> failed = new HashMap<>();
    if (status != null
        && status.getRollout() != null
        && status.getRollout().getGateFailures() != null) {
      status.getRollout().getGateFailures().stream()
          .filter(f -> f.getPod() != null)
          .forEach(f -> failed.put(f.getPod(), f));
    }
    return failed;
  }

  private static int restarts(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return 0;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .map(ContainerStatus::getRestartCount)
        .filter(Objects::nonNull)
        .mapToInt(Integer::intValue)
        .sum();
  }
}
