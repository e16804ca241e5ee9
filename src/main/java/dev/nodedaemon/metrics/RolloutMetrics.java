package dev.nodedaemon.metrics;

import dev.nodedaemon.api.DomainStatus;
import dev.nodedaemon.api.GateFailure;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan.PlannedEvent;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Prometheus metrics of every NodeDaemon, updated from what one reconcile observed and decided: the
 * status counters and phase as gauges, each node's daemon pod as per-node gauges, and the rollout
 * events as counters and duration histograms. Every series is labelled {@code namespace} and {@code
 * nodedaemon}; all of a NodeDaemon's series leave the registry when it is deleted.
 *
 * <p>Counters count what this operator process saw: they start at zero for each NodeDaemon when the
 * process first reconciles it (Prometheus' {@code increase()} handles restarts). Durations are
 * observed only for rollouts and pods that began while this process watched.
 */
public final class RolloutMetrics {

  public static final String PREFIX = "nodedaemon.";

  private static final Logger LOG = Logger.getLogger(RolloutMetrics.class);

  /**
   * Buckets for daemon rollouts and node updates, 1 s to 2 h: a pod on a fake node is ready in
   * seconds, a fleet of thousands of nodes one at a time takes hours.
   */
  static final Duration[] BUCKETS =
      new Duration[] {
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(20),
        Duration.ofMinutes(30),
        Duration.ofHours(1),
        Duration.ofHours(2)
      };

  /** Reasons a rollback can have (RollbackRecord.reason); their counters start at zero. */
  static final List<String> ROLLBACK_REASONS =
      List.of("Requested", "ProgressDeadlineExceeded", "HealthGateFailed");

  /** Reasons a rollout can fail: its deadline passed, or its health gates stopped it. */
  static final List<String> FAILURE_REASONS =
      List.of("ProgressDeadlineExceeded", "HealthGateFailed");

  /** Health gates a node can fail (GateFailure.reason); their counters start at zero. */
  static final List<String> GATE_REASONS =
      List.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "OOMKilled",
          "Restarts",
          "NotReadyInTime",
          "NodeNotReady");

  private final MeterRegistry registry;
  private final boolean perNode;
  private final Clock clock;
  private final Map<String, Tracked> byUid = new ConcurrentHashMap<>();

  private final GaugeSet desired;
  private final GaugeSet current;
  private final GaugeSet updated;
  private final GaugeSet updatedAvailable;
  private final GaugeSet target;
  private final GaugeSet ready;
  private final GaugeSet available;
  private final GaugeSet unavailable;
  private final GaugeSet misscheduled;
  private final GaugeSet phase;
  private final GaugeSet paused;
  private final GaugeSet frozen;
  private final GaugeSet step;
  private final GaugeSet steps;
  private final GaugeSet failedNodes;
  private final GaugeSet progressRatio;
  private final GaugeSet revisionInfo;
  private final GaugeSet nodeReady;
  private final GaugeSet nodeRestarts;
  private final GaugeSet nodeRevision;
  private final GaugeSet nodeSinceUpdate;
  private final GaugeSet domainNodes;
  private final GaugeSet domainUpdated;
  private final GaugeSet domainUnavailable;
  private final GaugeSet groupsCompleted;
  private final GaugeSet groups;

  public RolloutMetrics(MeterRegistry registry, boolean perNode, Clock clock) {
    this.registry = registry;
    this.perNode = perNode;
    this.clock = clock;
    desired = gauges("desired.nodes", "Nodes that should run the daemon pod.");
    current = gauges("current.nodes", "Nodes that run a daemon pod and should.");
    updated = gauges("updated.nodes", "Nodes that run the pod of the update revision.");
    updatedAvailable =
        gauges("updated.available.nodes", "Nodes that run the update revision, available.");
    target =
        gauges(
            "rollout.target.nodes",
            "Nodes the rollout should reach: desired less those held back by partition.");
    ready = gauges("ready.nodes", "Nodes whose daemon pod is ready.");
    available = gauges("available.nodes", "Nodes whose daemon pod is available.");
    unavailable =
        gauges(
            "unavailable.nodes", "Nodes that should run the daemon pod and have none available.");
    misscheduled = gauges("misscheduled.nodes", "Nodes that run a daemon pod but should not.");
    phase = gauges("rollout.phase", "1 for the rollout's current phase, 0 for the others.");
    paused = gauges("paused", "1 while spec.paused is true.");
    frozen = gauges("frozen", "1 while spec.frozen is true: no pod writes at all.");
    step = gauges("rollout.step", "The current step of a staged rollout, from 1; 0 without steps.");
    steps = gauges("rollout.steps", "How many steps the rollout has; 0 without steps.");
    failedNodes =
        gauges(
            "rollout.failed.nodes",
            "Nodes whose updated pod failed a health gate in this rollout.");
    progressRatio =
        gauges(
            "rollout.progress.ratio",
            "Nodes on the update revision, available, over the nodes the rollout should reach.");
    revisionInfo = gauges("revision.info", "Always 1: the current and update revision hashes.");
    nodeReady = gauges("node.pod.ready", "1 when the daemon pod on the node is ready.");
    nodeRestarts =
        gauges("node.pod.restarts", "Container restarts of the daemon pod on the node, summed.");
    nodeRevision = gauges("node.revision.info", "Always 1: the revision the node's pod runs.");
    nodeSinceUpdate =
        gauges(
            "node.seconds.since.update",
            "Seconds since the node's pod began running its revision: created, or last container"
                + " start after an in-place update.");
    // Per topology domain (rollingUpdate.order.topologyKey): one series per domain, at most
    // OrderFacts.MAX_DOMAINS per NodeDaemon, never one per node.
    domainNodes = gauges("domain.nodes", "Nodes of the topology domain in the rollout.");
    domainUpdated =
        gauges("domain.updated.nodes", "Nodes of the topology domain on the update revision.");
    domainUnavailable =
        gauges(
            "domain.unavailable.nodes",
            "Nodes of the topology domain without an available daemon pod.");
    groupsCompleted =
        gauges(
            "rollout.groups.completed",
            "Groups of the rollout order done; the current group is the next one.");
    groups = gauges("rollout.groups", "Groups in the rollout order; 0 without an order.");
  }

  /**
   * Updates every series of one NodeDaemon after a reconcile.
   *
   * @param input what the reconcile observed (pods by node, availability, the clock)
   * @param targetNodes the nodes the rollout should reach (PodPlan.RolloutFacts.target)
   * @param status the status the reconcile built
   * @param events the rollout events the assessor emitted in this reconcile
   * @param gateFailures nodes that failed a health gate first in this reconcile
   */
  public void observe(
      PlanInput input,
      int targetNodes,
      NodeDaemonStatus status,
      List<PlannedEvent> events,
      List<GateFailure> gateFailures) {
    try {
      update(input, targetNodes, status, events, gateFailures);
    } catch (RuntimeException e) {
      // Metrics must never stop a reconcile.
      LOG.warnf(
          e,
          "metrics of %s/%s not updated",
          input.nodeDaemon().getMetadata().getNamespace(),
          input.nodeDaemon().getMetadata().getName());
    }
  }

  private void update(
      PlanInput input,
      int targetNodes,
      NodeDaemonStatus status,
      List<PlannedEvent> events,
      List<GateFailure> gateFailures) {
    NodeDaemon nodeDaemon = input.nodeDaemon();
    String uid = nodeDaemon.getMetadata().getUid();
    Tags tags =
        Tags.of(
            "namespace",
            nodeDaemon.getMetadata().getNamespace(),
            "nodedaemon",
            nodeDaemon.getMetadata().getName());
    Tracked tracked = byUid.computeIfAbsent(uid, u -> new Tracked(tags, input.now()));

    desired.set(tags, valueOf(status.getDesiredNumberScheduled()));
    current.set(tags, valueOf(status.getCurrentNumberScheduled()));
    updated.set(tags, valueOf(status.getUpdatedNumberScheduled()));
    updatedAvailable.set(tags, valueOf(status.getUpdatedNumberAvailable()));
    target.set(tags, targetNodes);
    ready.set(tags, valueOf(status.getNumberReady()));
    available.set(tags, valueOf(status.getNumberAvailable()));
    unavailable.set(tags, valueOf(status.getNumberUnavailable()));
    misscheduled.set(tags, valueOf(status.getNumberMisscheduled()));
    for (RolloutPhase each : RolloutPhase.values()) {
      phase.set(tags.and("phase", each.name()), each == status.getPhase() ? 1 : 0);
    }
    paused.set(tags, Boolean.TRUE.equals(nodeDaemon.getSpec().getPaused()) ? 1 : 0);
    frozen.set(tags, Boolean.TRUE.equals(nodeDaemon.getSpec().getFrozen()) ? 1 : 0);
    RolloutProgress progress = status.getRollout();
    step.set(tags, progress == null ? 0 : valueOf(progress.getStep()));
    steps.set(tags, progress == null ? 0 : valueOf(progress.getStepCount()));
    failedNodes.set(tags, progress == null ? 0 : valueOf(progress.getFailedNodes()));
    for (String reason : GATE_REASONS) {
      gateFailures(tags, reason);
    }
    for (GateFailure failure : gateFailures) {
      gateFailures(tags, Objects.requireNonNullElse(failure.getReason(), "Unknown")).increment();
    }
    progressRatio.set(
        tags,
        targetNodes <= 0
            ? 1
            : Math.min(1.0, valueOf(status.getUpdatedNumberAvailable()) / (double) targetNodes));
    Tags revisions =
        tags.and(
            "current_revision",
            Objects.requireNonNullElse(status.getCurrentRevision(), ""),
            "update_revision",
            Objects.requireNonNullElse(status.getUpdateRevision(), ""));
    revisionInfo.set(revisions, 1);
    revisionInfo.retain(owned(tags), Set.of(revisions));

    observeDomains(tags, status);

    countRollouts(tracked, status, events, input.now());
    countRollback(tracked, nodeDaemon, status);
    observeNodeUpdates(tracked, input);
    if (perNode) {
      observeNodes(tracked, input);
    }
  }

  /** The rollout order: groups done, and each domain's counts; stale domains' series go. */
  private void observeDomains(Tags tags, NodeDaemonStatus status) {
    RolloutProgress progress = status.getRollout();
    groups.set(tags, progress == null ? 0 : valueOf(progress.getGroupCount()));
    groupsCompleted.set(tags, progress == null ? 0 : valueOf(progress.getGroupsCompleted()));
    Set<Tags> wanted = new HashSet<>();
    List<DomainStatus> domains = status.getDomains() == null ? List.of() : status.getDomains();
    for (DomainStatus domain : domains) {
      Tags domainTags = tags.and("domain", Objects.requireNonNullElse(domain.getName(), ""));
      wanted.add(domainTags);
      domainNodes.set(domainTags, valueOf(domain.getNodes()));
      domainUpdated.set(domainTags, valueOf(domain.getUpdated()));
      domainUnavailable.set(domainTags, valueOf(domain.getUnavailable()));
    }
    Predicate<Tags> owned = owned(tags);
    Predicate<Tags> ownedDomain =
        t -> owned.test(t) && t.stream().anyMatch(tag -> tag.getKey().equals("domain"));
    for (GaugeSet set : List.of(domainNodes, domainUpdated, domainUnavailable)) {
      set.retain(ownedDomain, wanted);
    }
  }

  /** Removes every series of the NodeDaemons whose uid is not in {@code live}. */
  public void retainOnly(Set<String> live) {
    for (String uid : Set.copyOf(byUid.keySet())) {
      if (!live.contains(uid)) {
        remove(byUid.remove(uid).tags);
      }
    }
  }

  private void remove(Tags tags) {
    // A NodeDaemon created again under the same name shares these labels: the node series it
    // keeps are gone from the registry now, and are registered again on its next pass.
    byUid.values().stream().filter(t -> t.tags.equals(tags)).forEach(t -> t.nodes.clear());
    Predicate<Tags> owned = owned(tags);
    for (GaugeSet set : gaugeSets()) {
      set.removeAll(owned);
    }
    // Counters and histograms.
    for (Meter meter : List.copyOf(registry.getMeters())) {
      if (meter.getId().getName().startsWith(PREFIX)
          && owned.test(Tags.of(meter.getId().getTagsAsIterable()))) {
        registry.remove(meter);
      }
    }
  }

  private void countRollouts(
      Tracked tracked, NodeDaemonStatus status, List<PlannedEvent> events, Instant now) {
    Tags tags = tracked.tags;
    Counter started = counter("rollouts.started", "Rollouts (and rollbacks) that began.", tags);
    Counter completed = counter("rollouts.completed", "Rollouts that completed.", tags);
    for (String reason : FAILURE_REASONS) {
      counter("rollouts.failed", "Rollouts that failed.", tags.and("reason", reason));
    }
    Timer duration = rolloutDuration(tags);
    for (PlannedEvent event : events) {
      switch (event.reason()) {
        case "RolloutStarted", "RollbackStarted" -> started.increment();
        case "RolloutComplete" -> {
          completed.increment();
          startTime(status)
              .filter(start -> !start.isBefore(tracked.firstSeen))
              .ifPresent(start -> duration.record(nonNegative(Duration.between(start, now))));
        }
        case "ProgressDeadlineExceeded" ->
            counter("rollouts.failed", "Rollouts that failed.", tags.and("reason", event.reason()))
                .increment();
        case "RolloutHalted" ->
            counter(
                    "rollouts.failed",
                    "Rollouts that failed.",
                    tags.and("reason", "HealthGateFailed"))
                .increment();
        default -> {}
      }
    }
  }

  private Counter gateFailures(Tags tags, String reason) {
    return counter(
        "gate.failures",
        "Nodes whose updated pod failed a health gate, by the gate that failed.",
        tags.and("reason", reason));
  }

  /**
   * A rollback is counted when status.lastRollback names one this process has not counted and the
   * previous status did not show: the rollback writer records each rollback there.
   */
  private void countRollback(Tracked tracked, NodeDaemon nodeDaemon, NodeDaemonStatus status) {
    for (String reason : ROLLBACK_REASONS) {
      rollbacks(tracked.tags, reason);
    }
    RollbackRecord last = status.getLastRollback();
    RollbackRecord previous =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getLastRollback();
    if (last == null || last.equals(previous) || last.equals(tracked.countedRollback)) {
      tracked.countedRollback = last;
      return;
    }
    tracked.countedRollback = last;
    rollbacks(tracked.tags, Objects.requireNonNullElse(last.getReason(), "Unknown")).increment();
  }

  /**
   * Observes, once per pod and revision, the time from a node's new pod starting (created, or seen
   * patched in place) to the first reconcile that finds it available. Pods that started before this
   * process first saw the NodeDaemon are not observed.
   */
  private void observeNodeUpdates(Tracked tracked, PlanInput input) {
    Timer timer = nodeUpdateDuration(tracked.tags);
    Set<String> present = new HashSet<>();
    for (List<Pod> pods : input.snapshot().podsByNode().values()) {
      for (Pod pod : pods) {
        if (DaemonPods.isTerminating(pod)
            || !input.updateRevision().equals(DaemonPods.revision(pod))) {
          continue;
        }
        String key = PlanInput.readinessKey(pod);
        present.add(key);
        if (tracked.updatesObserved.contains(key)) {
          continue;
        }
        Instant start =
            inPlace(pod)
                ? tracked.inPlaceSeen.computeIfAbsent(key, k -> input.now())
                : created(pod).orElse(input.now());
        if (!input.isAvailable(pod)) {
          continue;
        }
        if (!start.isBefore(tracked.firstSeen)) {
          timer.record(nonNegative(Duration.between(start, input.now())));
        }
        tracked.updatesObserved.add(key);
        tracked.inPlaceSeen.remove(key);
      }
    }
    tracked.updatesObserved.retainAll(present);
    tracked.inPlaceSeen.keySet().retainAll(present);
  }

  /**
   * The per-node series. Each node's series are kept in {@code tracked} between passes, so a pass
   * over 1,000 nodes sets values without building or hashing labels (building them per pass was a
   * tenth of the reconcile thread's samples in a 1,000-node rollout); a node's series go when it
   * has no pod any more, and its revision series when its pod's revision changes.
   */
  private void observeNodes(Tracked tracked, PlanInput input) {
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, List<Pod>> entry : input.snapshot().podsByNode().entrySet()) {
      Optional<Pod> chosen = representative(entry.getValue(), input.updateRevision());
      if (chosen.isEmpty()) {
        continue;
      }
      Pod pod = chosen.get();
      seen.add(entry.getKey());
      NodeSeries node =
          tracked.nodes.computeIfAbsent(
              entry.getKey(), name -> new NodeSeries(tracked.tags.and("node", name)));
      node.ready.set(DaemonPods.isReady(pod) ? 1 : 0);
      node.restarts.set(restarts(pod));
      Instant since = updatedSince(pod);
      node.sinceUpdate.set(
          () -> Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0));
      String revision = Objects.requireNonNullElse(DaemonPods.revision(pod), "");
      if (!revision.equals(node.revision)) {
        if (node.revisionTags != null) {
          nodeRevision.remove(node.revisionTags);
        }
        node.revision = revision;
        node.revisionTags = node.tags.and("revision", revision);
        nodeRevision.series(node.revisionTags).set(1);
      }
    }
    tracked
        .nodes
        .entrySet()
        .removeIf(
            entry -> {
              if (seen.contains(entry.getKey())) {
                return false;
              }
              NodeSeries node = entry.getValue();
              nodeReady.remove(node.tags);
              nodeRestarts.remove(node.tags);
              nodeSinceUpdate.remove(node.tags);
              if (node.revisionTags != null) {
                nodeRevision.remove(node.revisionTags);
              }
              return true;
            });
  }

  /** One node's series, set by the reconcile of its NodeDaemon. */
  private final class NodeSeries {
    private final Tags tags;
    private final GaugeSet.Series ready;
    private final GaugeSet.Series restarts;
    private final GaugeSet.Series sinceUpdate;
    private String revision;
    private Tags revisionTags;

    private NodeSeries(Tags tags) {
      this.tags = tags;
      this.ready = nodeReady.series(tags);
      this.restarts = nodeRestarts.series(tags);
      this.sinceUpdate = nodeSinceUpdate.series(tags);
    }
  }

  /**
   * The pod that speaks for a node: one of the update revision that is not terminating, else any
   * that is not terminating, else a terminating one; the newest of those.
   */
  private static Optional<Pod> representative(List<Pod> pods, String updateRevision) {
    Comparator<Pod> rank =
        Comparator.<Pod, Boolean>comparing(p -> !DaemonPods.isTerminating(p))
            .thenComparing(p -> updateRevision.equals(DaemonPods.revision(p)))
            .thenComparing(p -> created(p).orElse(Instant.EPOCH));
    return pods.stream().max(rank);
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

  /**
   * When the pod began running its revision: its creation, or for a pod updated in place the last
   * start of one of its containers (the kubelet restarts them with the new image).
   */
  private static Instant updatedSince(Pod pod) {
    Instant created = created(pod).orElse(Instant.EPOCH);
    if (!inPlace(pod)
        || pod.getStatus() == null
        || pod.getStatus().getContainerStatuses() == null) {
      return created;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> s.getState() != null && s.getState().getRunning() != null)
        .map(s -> s.getState().getRunning().getStartedAt())
        .filter(Objects::nonNull)
        .map(Instant::parse)
        .max(Comparator.naturalOrder())
        .filter(started -> started.isAfter(created))
        .orElse(created);
  }

  private static boolean inPlace(Pod pod) {
    return pod.getMetadata().getAnnotations() != null
        && pod.getMetadata().getAnnotations().containsKey(DaemonPods.IN_PLACE_ANNOTATION);
  }

  private static Optional<Instant> created(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getCreationTimestamp()).map(Instant::parse);
  }

  private static Optional<Instant> startTime(NodeDaemonStatus status) {
    return Optional.ofNullable(status.getRollout()).map(r -> r.getStartTime()).map(Instant::parse);
  }

  private Counter counter(String name, String description, Tags tags) {
    return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
  }

  private Counter rollbacks(Tags tags, String reason) {
    return counter(
        "rollbacks", "Rollbacks the operator performed, by reason.", tags.and("reason", reason));
  }

  private Timer rolloutDuration(Tags tags) {
    return Timer.builder(PREFIX + "rollout.duration")
        .description("From a rollout's start (status.rollout.startTime) to its completion.")
        .serviceLevelObjectives(BUCKETS)
        .tags(tags)
        .register(registry);
  }

  private Timer nodeUpdateDuration(Tags tags) {
    return Timer.builder(PREFIX + "node.update.duration")
        .description(
            "From a node's new pod being created (or patched in place) to the first reconcile that"
                + " finds it available.")
        .serviceLevelObjectives(BUCKETS)
        .tags(tags)
        .register(registry);
  }

  private GaugeSet gauges(String name, String description) {
    return new GaugeSet(registry, PREFIX + name, description, null);
  }

  private List<GaugeSet> gaugeSets() {
    return List.of(
        desired,
        current,
        frozen,
        step,
        steps,
        failedNodes,
        updated,
        updatedAvailable,
        target,
        ready,
        available,
        unavailable,
        misscheduled,
        phase,
        paused,
        progressRatio,
        revisionInfo,
        nodeReady,
        nodeRestarts,
        nodeRevision,
        nodeSinceUpdate,
        domainNodes,
        domainUpdated,
        domainUnavailable,
        groupsCompleted,
        groups);
  }

  /** Selects the series of the NodeDaemon {@code owner} is labelled with. */
  private static Predicate<Tags> owned(Tags owner) {
    Map<String, String> wanted = new HashMap<>();
    owner.forEach(t -> wanted.put(t.getKey(), t.getValue()));
    return tags -> {
      int matched = 0;
      for (Tag tag : tags) {
        if (wanted.containsKey(tag.getKey())) {
          if (!wanted.get(tag.getKey()).equals(tag.getValue())) {
            return false;
          }
          matched++;
        }
      }
      return matched == wanted.size();
    };
  }

  private static double valueOf(Integer value) {
    return value == null ? 0 : value;
  }

  private static Duration nonNegative(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }

  /** What is remembered of one NodeDaemon between reconciles. */
  private static final class Tracked {
    private final Tags tags;
    private final Instant firstSeen;
    private final Set<String> updatesObserved = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> inPlaceSeen = new ConcurrentHashMap<>();
    private volatile RollbackRecord countedRollback;
    private final Map<String, NodeSeries> nodes = new ConcurrentHashMap<>();

    private Tracked(Tags tags, Instant firstSeen) {
      this.tags = tags;
      this.firstSeen = firstSeen;
    }
  }
}
