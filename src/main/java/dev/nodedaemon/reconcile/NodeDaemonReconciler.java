package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.FailurePolicy;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.apply.KubernetesPodWriter;
import dev.nodedaemon.apply.PlanExecutor;
import dev.nodedaemon.events.EventRecorder;
import dev.nodedaemon.metrics.RolloutMetrics;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.Ownership;
import dev.nodedaemon.observe.TrimmingItemStore;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.PodPlanner;
import dev.nodedaemon.plan.RolloutAssessor;
import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.revision.RevisionStore;
import dev.nodedaemon.revision.RollbackWriter;
import dev.nodedaemon.revision.Rollbacks;
import dev.nodedaemon.revision.TemplateHash;
import dev.nodedaemon.status.Conditions;
import dev.nodedaemon.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles one NodeDaemon in five steps: observe (nodes and its pods from the informer caches),
 * plan ({@link PodPlanner}, pure), act ({@link PlanExecutor}, the only pod writer), record ({@link
 * StatusBuilder}, the only status writer), and say when to look again.
 *
 * <p>Nodes and pods reach it as watch events: a node that joins, changes labels or taints, is
 * cordoned or leaves, and every change of one of its pods, triggers a reconcile. Nothing polls.
 *
 * <p>A reconcile that throws is retried for as long as it fails, 1 s doubling to 5 min (the SDK's
 * default gives up after 5 attempts, and a NodeDaemon waiting out a pod's failure backoff has no
 * further event to wake it). Ten minutes without any reconcile bring one anyway: a safety net for a
 * lost watch event or timer, cheap because a reconcile reads only caches (8 ms at 5,000 nodes).
 */
@ControllerConfiguration(
    name = "nodedaemon",
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(
    maxAttempts = -1,
    initialInterval = 1000,
    intervalMultiplier = 2,
    maxInterval = 300_000)
public class NodeDaemonReconciler implements Reconciler<NodeDaemon> {

  private static final Logger LOG = Logger.getLogger(NodeDaemonReconciler.class);
  private static final String NODE_SOURCE = "nodes";
  private static final String POD_SOURCE = "pods";
  private static final String REVISION_SOURCE = "revisions";

  private final Clock clock;
  private final FailureBackoff backoff = new FailureBackoff();
  private final ReadinessMemory readiness = new ReadinessMemory();
  private final CreationExpectations expectations = new CreationExpectations();
  private final DeletionExpectations deletions;
  private final Adoption adoption;
  private final EventRecorder events;
  private final PlanExecutor executor;
  private final RevisionStore revisionStore;
  private final RollbackWriter rollbackWriter;
  private final RolloutMetrics metrics;

  public NodeDaemonReconciler(KubernetesClient client, RolloutMetrics metrics) {
    this.metrics = metrics;
    this.clock = Clock.systemUTC();
    this.events = new EventRecorder(client, clock, hostname());
    this.deletions = new DeletionExpectations(clock);
    this.executor = new PlanExecutor(deletions.recording(new KubernetesPodWriter(client)), events);
    this.revisionStore = new RevisionStore(client, events);
    this.rollbackWriter = new RollbackWriter(client, events);
    this.adoption = new Adoption(client, new KubernetesPodWriter(client), events);
  }

  @Override
  public List<EventSource<?, NodeDaemon>> prepareEventSources(
      EventSourceContext<NodeDaemon> context) {
    // Only pods NodeDaemon labelled: other workloads' pods never enter this cache.
    InformerEventSource<Pod, NodeDaemon> pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, NodeDaemon.class)
                .withName(POD_SOURCE)
                .withLabelSelector(DaemonPodFactory.NODEDAEMON_LABEL)
                .withItemStore(TrimmingItemStore.forPods())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(NodeDaemon.class))
                .build(),
            context);
    // Any node change may matter to every NodeDaemon.
    InformerEventSource<Node, NodeDaemon> nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, NodeDaemon.class)
                .withName(NODE_SOURCE)
                .withItemStore(TrimmingItemStore.forNodes())
                .withSecondaryToPrimaryMapper(
                    node ->
                        context
                            .getPrimaryCache()
                            .list()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    InformerEventSource<ControllerRevision, NodeDaemon> revisions =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ControllerRevision.class, NodeDaemon.class)
                .withName(REVISION_SOURCE)
                .withLabelSelector(DaemonPodFactory.NODEDAEMON_LABEL)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(NodeDaemon.class))
                .build(),
            context);
    return List.of(pods, nodes, revisions);
  }

  @Override
  public UpdateControl<NodeDaemon> reconcile(NodeDaemon nodeDaemon, Context<NodeDaemon> context) {
    Instant now = clock.instant();
    String uid = nodeDaemon.getMetadata().getUid();
    forgetDeletedNodeDaemons(context);

    // Observe.
    @SuppressWarnings("unchecked")
    InformerEventSource<Node, NodeDaemon> nodeSource =
        (InformerEventSource<Node, NodeDaemon>)
            context.eventSourceRetriever().getEventSourceFor(Node.class, NODE_SOURCE);
    List<Node> nodes = nodeSource.list().toList();
    Set<Pod> pods =
        deletions.asObserved(
            Ownership.controlledBy(nodeDaemon, context.getSecondaryResources(Pod.class)), now);
    if (adoption.adoptOrphans(nodeDaemon, now)) {
      // Adopted pods arrive through the pod informer and trigger the next reconcile.
      return UpdateControl.noUpdate();
    }
    List<ControllerRevision> revisionList =
        Ownership.controlledBy(nodeDaemon, context.getSecondaryResources(ControllerRevision.class));
    Optional<Rollbacks.Decision> requested =
        Rollbacks.requested(
            nodeDaemon,
            revisionList,
            TemplateHash.of(nodeDaemon.getSpec().getTemplate(), collisionCount(nodeDaemon)),
            now);
    if (requested.isPresent()) {
      // The template changes (a new generation), which brings the next reconcile.
      rollbackWriter.apply(nodeDaemon, requested.get());
      return UpdateControl.noUpdate();
    }
    ClusterSnapshot snapshot = ClusterSnapshot.of(nodes, pods);
    Set<String> hashesInUse =
        pods.stream()
            .filter(p -> !DaemonPods.isTerminating(p))
            .map(DaemonPods::revision)
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    RevisionPlanner.Decision revisions = revisionStore.sync(nodeDaemon, revisionList, hashesInUse);
    String updateRevision = revisions.updateHash();
    PlanInput input =
        new PlanInput(
            nodeDaemon,
            updateRevision,
            Rollbacks.index(revisionList, revisions.updateRevisionNumber()),
            snapshot,
            backoff.view(uid, now),
            readiness.observe(uid, pods, now),
            expectations.pendingNodes(uid, pods, now),
            now);

    // Plan, act.
    PodPlan plan = PodPlanner.plan(input);
    PlanExecutor.Outcomes outcomes =
        executor.execute(
            nodeDaemon, plan, node -> DaemonPodFactory.build(nodeDaemon, node, updateRevision));
    plan.backoffBumps().forEach(node -> backoff.bump(uid, node, now));
    for (Pod created : outcomes.created()) {
      expectations.expect(
          uid,
          created.getMetadata().getAnnotations().get(DaemonPodFactory.NODE_ANNOTATION),
          created.getMetadata().getName(),
          now);
    }

    // Where the rollout stands.
    Optional<RollbackRecord> lastRollback = Rollbacks.lastRollback(nodeDaemon);
    RolloutAssessor.Assessment rollout =
        RolloutAssessor.assess(input, plan.rollout(), lastRollback);

    // Record: the status first, then the rollout's events. A status that could not be written
    // (the NodeDaemon changed since it was read) is computed again by the next reconcile, which
    // the change brings; its events wait for that step, so they are said once.
    NodeDaemonStatus status =
        StatusBuilder.build(
            input, plan, rollout, lastRollback, outcomes.problems(), revisions.collisionCount());
    boolean recorded =
        status.equals(nodeDaemon.getStatus()) || StatusWriter.write(nodeDaemon, status, context);
    metrics.observe(
        input, plan.rollout().target(), status, recorded ? rollout.events() : List.of());
    if (recorded) {
      events.record(nodeDaemon, rollout.events());
    }
    // A failed rollout rolls back when failurePolicy says so; after the Failed status is written.
    if (recorded
        && rollout.phase() == RolloutPhase.Failed
        && nodeDaemon.getSpec().getFailurePolicy() == FailurePolicy.Rollback) {
      Rollbacks.afterFailure(
              revisionList,
              updateRevision,
              nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getCurrentRevision(),
              Boolean.TRUE.equals(rollout.progress().getRollback()),
              now)
          .ifPresent(decision -> rollbackWriter.apply(nodeDaemon, decision));
    }
    UpdateControl<NodeDaemon> control = UpdateControl.noUpdate();
    Optional<Duration> again = earliest(plan.requeueAfter(), rollout.requeueAfter());
    if (!recorded) {
      again = Optional.of(Duration.ofSeconds(1)); // in case the newer version's event is lost
    }
    if (outcomes.moreToDo() || !outcomes.problems().isEmpty()) {
      again =
          Optional.of(
              outcomes.problems().isEmpty() ? Duration.ofMillis(500) : Duration.ofSeconds(5));
    }
    if (status.getNumberReady() > status.getNumberAvailable()) {
      // minReadySeconds: look again when the next pod may have become available.
      int minReady = Objects.requireNonNullElse(nodeDaemon.getSpec().getMinReadySeconds(), 1);
      Duration wait = Duration.ofSeconds(Math.clamp(minReady, 1, 5));
      again = Optional.of(again.filter(a -> a.compareTo(wait) < 0).orElse(wait));
    }
    again.ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * A reconcile that threw (an API error, or a NodeDaemon the operator cannot work with) is shown
   * as a condition; JOSDK retries it with backoff. Other NodeDaemons are unaffected.
   */
  @Override
  public ErrorStatusUpdateControl<NodeDaemon> updateErrorStatus(
      NodeDaemon nodeDaemon, Context<NodeDaemon> context, Exception e) {
    LOG.warnf(
        e,
        "reconcile of %s/%s failed",
        nodeDaemon.getMetadata().getNamespace(),
        nodeDaemon.getMetadata().getName());
    NodeDaemonStatus previous =
        nodeDaemon.getStatus() == null ? new NodeDaemonStatus() : nodeDaemon.getStatus();
    NodeDaemonStatus status = Serialization.clone(previous);
    status.setConditions(
        Conditions.merge(
            previous.getConditions(),
            List.of(
                Conditions.of(
                    "ReconcileError", true, "ReconcileFailed", String.valueOf(e.getMessage()))),
            nodeDaemon.getMetadata().getGeneration(),
            clock.instant()));
    return ErrorStatusUpdateControl.patchStatus(StatusWriter.statusOnly(nodeDaemon, status));
  }

  /**
   * Per-NodeDaemon memories (backoff, readiness, expectations, adoption scans) are dropped once
   * their NodeDaemon is gone from the primary cache; without a finalizer there is no delete hook.
   */
  private void forgetDeletedNodeDaemons(Context<NodeDaemon> context) {
    Set<String> live =
        context
            .getPrimaryCache()
            .list()
            .map(nd -> nd.getMetadata().getUid())
            .collect(Collectors.toSet());
    backoff.retainOnly(live);
    readiness.retainOnly(live);
    expectations.retainOnly(live);
    adoption.retainOnly(live);
    metrics.retainOnly(live);
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }

  private static int collisionCount(NodeDaemon nodeDaemon) {
    return nodeDaemon.getStatus() == null || nodeDaemon.getStatus().getCollisionCount() == null
        ? 0
        : nodeDaemon.getStatus().getCollisionCount();
  }

  private static String hostname() {
    String name = System.getenv("HOSTNAME");
    return name == null || name.isEmpty() ? "local" : name;
  }
}
