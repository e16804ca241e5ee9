package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.FailurePolicy;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import dev.nodedaemon.api.PodLabels;
import dev.nodedaemon.api.RollbackRecord;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.apply.BoundedPodWriter;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.apply.KubernetesPodWriter;
import dev.nodedaemon.apply.PlanExecutor;
import dev.nodedaemon.apply.PodWriter;
import dev.nodedaemon.apply.PrePullPods;
import dev.nodedaemon.apply.TemplateAdmission;
import dev.nodedaemon.events.EventRecorder;
import dev.nodedaemon.metrics.RolloutMetrics;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.observe.Ownership;
import dev.nodedaemon.observe.TrimmingItemStore;
import dev.nodedaemon.plan.Conditions;
import dev.nodedaemon.plan.EventReason;
import dev.nodedaemon.plan.HealthGateEvaluator;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.RevisionIndex;
import dev.nodedaemon.plan.RolloutAssessor;
import dev.nodedaemon.plan.RolloutDecider;
import dev.nodedaemon.revision.RevisionPlanner;
import dev.nodedaemon.revision.RevisionStore;
import dev.nodedaemon.revision.RollbackWriter;
import dev.nodedaemon.revision.Rollbacks;
import dev.nodedaemon.revision.TemplateHash;
import dev.nodedaemon.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reconciles one NodeDaemon in five steps: observe (nodes and its pods from the informer caches,
 * and whether the API server admits the update revision's pods), decide ({@link RolloutDecider},
 * pure: pod writes, phase, conditions, events, when to look again), act ({@link PlanExecutor}, the
 * only pod writer), record ({@link StatusBuilder}, the only status writer; then the follow-ups a
 * written status allows: marking a revision bad, rolling back, removing one-shot requests).
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
  private static final String PREPULL_SOURCE = "prepull-pods";
  private static final String REVISION_SOURCE = "revisions";

  /**
   * The pod and node informers list in pages of this many: an unpaged list is deserialized whole,
   * untrimmed, before the store trims it, and at 5,000 nodes with 10,000 pods that peak ran a 256
   * MiB heap out at start (bench/results/soak.md); page by page the peak is one page.
   */
  private static final long LIST_PAGE = 500;

  private final Clock clock;
  private final FailureBackoff backoff = new FailureBackoff();
  private final InPlaceRefusals inPlaceRefusals = new InPlaceRefusals();
  private final ReadinessMemory readiness = new ReadinessMemory();
  private final CreationExpectations expectations = new CreationExpectations();
  private final DeletionExpectations deletions;
  private final Adoption adoption;
  private final EventRecorder events;
  private final PlanExecutor executor;
  private final PrePullPods prePullPods;
  private final RevisionStore revisionStore;
  private final RollbackWriter rollbackWriter;
  private final RolloutMetrics metrics;
  private final TemplateAdmission templateAdmission;

  /**
   * @param podWriteDeadline how long a pod write may go unanswered before it counts as failed
   *     ({@link BoundedPodWriter})
   */
  public NodeDaemonReconciler(
      KubernetesClient client,
      RolloutMetrics metrics,
      @ConfigProperty(name = "nodedaemon.pod-write-deadline") Duration podWriteDeadline) {
    this.metrics = metrics;
    this.clock = Clock.systemUTC();
    this.events = new EventRecorder(client, clock, hostname());
    this.deletions = new DeletionExpectations(clock);
    PodWriter podWriter = new BoundedPodWriter(new KubernetesPodWriter(client), podWriteDeadline);
    this.executor = new PlanExecutor(deletions.recording(podWriter), events);
    this.prePullPods = new PrePullPods(podWriter, events);
    this.revisionStore = new RevisionStore(client, events);
    this.rollbackWriter = new RollbackWriter(client, events);
    this.adoption = new Adoption(client, podWriter, events);
    this.templateAdmission = new TemplateAdmission(podWriter);
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
                .withInformerListLimit(LIST_PAGE)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(NodeDaemon.class))
                .build(),
            context);
    // Any node change may matter to every NodeDaemon.
    InformerEventSource<Node, NodeDaemon> nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, NodeDaemon.class)
                .withName(NODE_SOURCE)
                .withItemStore(TrimmingItemStore.forNodes())
                .withInformerListLimit(LIST_PAGE)
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
    // Pre-pull pods (rollingUpdate.prePull) have a label of their own, never the daemon pods'.
    InformerEventSource<Pod, NodeDaemon> prePull =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, NodeDaemon.class)
                .withName(PREPULL_SOURCE)
                .withLabelSelector(PodLabels.PREPULL_LABEL)
                .withItemStore(TrimmingItemStore.forPods())
                .withInformerListLimit(LIST_PAGE)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(NodeDaemon.class))
                .build(),
            context);
    return List.of(pods, nodes, revisions, prePull);
  }

  @Override
  public UpdateControl<NodeDaemon> reconcile(NodeDaemon nodeDaemon, Context<NodeDaemon> context) {
    Instant now = clock.instant();
    long started = System.nanoTime();
    String uid = nodeDaemon.getMetadata().getUid();
    forgetDeletedNodeDaemons(context);

    // Observe.
    @SuppressWarnings("unchecked")
    InformerEventSource<Node, NodeDaemon> nodeSource =
        (InformerEventSource<Node, NodeDaemon>)
            context.eventSourceRetriever().getEventSourceFor(Node.class, NODE_SOURCE);
    List<Node> nodes = nodeSource.list().toList();
    List<Pod> namedPods = secondaryPods(context, POD_SOURCE, nodeDaemon);
    List<Pod> pods = deletions.asObserved(Ownership.controlledBy(nodeDaemon, namedPods), now);
    String templateHash =
        TemplateHash.of(nodeDaemon.getSpec().getTemplate(), collisionCount(nodeDaemon));
    Adoption.Claims claims =
        adoption.adoptOrphans(
            nodeDaemon, templateHash, now, () -> labelledWithoutController(context, nodeDaemon));
    if (claims.any()) {
      // Adopted pods arrive through the pod informer and trigger the next reconcile; until each
      // has arrived its node is not empty (a create there made a second pod, seen in MigrationIT).
      // An orphan that changed while being adopted is listed again a moment later, before any
      // plan could give its node a second pod.
      for (Pod pod : claims.adopted()) {
        DaemonPods.targetNode(pod)
            .ifPresent(node -> expectations.expect(uid, node, pod.getMetadata().getName(), now));
      }
      return claims.retrySoon()
          ? UpdateControl.<NodeDaemon>noUpdate().rescheduleAfter(Duration.ofSeconds(1))
          : UpdateControl.noUpdate();
    }
    List<ControllerRevision> revisionList =
        Ownership.controlledBy(nodeDaemon, context.getSecondaryResources(ControllerRevision.class));
    Optional<Rollbacks.Decision> requested =
        Rollbacks.requested(nodeDaemon, revisionList, templateHash, now);
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
    Optional<String> refusal =
        nodes.isEmpty()
            ? Optional.empty()
            : templateAdmission.refusal(
                nodeDaemon, updateRevision, nodes.get(0).getMetadata().getName(), now);
    RevisionIndex revisionIndex = Rollbacks.index(revisionList, revisions.updateRevisionNumber());
    // A node whose pod the cache still shows under a predecessor's control gets no create, as if
    // one were in flight: the pod is about to arrive as an orphan and be adopted.
    PredecessorPods.Hold predecessors = PredecessorPods.of(nodeDaemon, namedPods, now);
    Set<String> creationsInFlight = new HashSet<>(predecessors.nodes());
    creationsInFlight.addAll(expectations.pendingNodes(uid, pods, now));
    PlanInput input =
        new PlanInput(
            nodeDaemon,
            updateRevision,
            revisionIndex,
            snapshot,
            backoff.view(uid, now),
            readiness.observe(uid, pods, now),
            Set.copyOf(creationsInFlight),
            refusal,
            now,
            Ownership.controlledBy(nodeDaemon, secondaryPods(context, PREPULL_SOURCE, nodeDaemon)));

    // Decide (pure), act.
    Optional<RollbackRecord> lastRollback = Rollbacks.lastRollback(nodeDaemon);
    long observed = System.nanoTime();
    RolloutDecider.Decision decision = RolloutDecider.decide(input, lastRollback);
    PodPlan plan = decision.plan();
    long decided = System.nanoTime();
    Optional<InPlaceRefusals.Refusal> inPlaceHeld =
        inPlaceRefusals.holding(uid, updateRevision, now);
    String createRevision = plan.createRevision() == null ? updateRevision : plan.createRevision();
    PodTemplateSpec createTemplate =
        revisionIndex
            .templateOf(createRevision)
            .filter(t -> plan.createRevision() != null)
            .orElse(nodeDaemon.getSpec().getTemplate());
    PlanExecutor.Outcomes outcomes =
        executor.execute(
            nodeDaemon,
            inPlaceHeld.isPresent() ? plan.withoutInPlaceUpdates() : plan,
            node -> DaemonPodFactory.build(nodeDaemon, node, createRevision, createTemplate));
    List<String> prePullProblems = prePullPods.apply(nodeDaemon, updateRevision, plan.prePull());
    plan.backoffBumps().forEach(node -> backoff.bump(uid, node, now));
    for (Pod created : outcomes.created()) {
      expectations.expect(
          uid,
          created.getMetadata().getAnnotations().get(DaemonPodFactory.NODE_ANNOTATION),
          created.getMetadata().getName(),
          now);
    }
    if (outcomes.refused()) {
      templateAdmission.forget(uid); // ask again before the next delete
    }
    long acted = System.nanoTime();
    if (outcomes.inPlaceRefusal().isPresent()) {
      inPlaceHeld =
          Optional.of(
              inPlaceRefusals.refused(uid, updateRevision, outcomes.inPlaceRefusal().get(), now));
    }
    // Problems of this step's writes; a refused in-place patch is reported by its backoff instead.
    List<String> writeProblems =
        new ArrayList<>(
            inPlaceHeld.isEmpty()
                ? outcomes.problems()
                : outcomes.problems().stream()
                    .filter(p -> !p.startsWith("update in place "))
                    .toList());
    writeProblems.addAll(prePullProblems);
    List<String> problems = new ArrayList<>(writeProblems);
    inPlaceHeld.ifPresent(held -> problems.add(held.describe()));

    // Record: the status first, then the rollout's events. A status that could not be written
    // (the NodeDaemon changed since it was read) is computed again by the next reconcile, which
    // the change brings; its events wait for that step, so they are said once.
    RolloutAssessor.Assessment rollout = decision.rollout();
    NodeDaemonStatus status =
        StatusBuilder.build(
            input, plan, rollout, lastRollback, problems, revisions.collisionCount());
    boolean recorded =
        status.equals(nodeDaemon.getStatus()) || StatusWriter.write(nodeDaemon, status, context);
    metrics.observe(
        input,
        plan.rollout().rolloutTarget(),
        status,
        recorded ? rollout.events() : List.of(),
        recorded ? plan.gates().fresh() : List.of());
    if (recorded) {
      events.record(nodeDaemon, rollout.events());
      followUp(nodeDaemon, decision, revisionList, updateRevision, now);
    }
    if (LOG.isDebugEnabled()) {
      // Where a reconcile's time goes (bench/timeline.py shows the API server's side).
      LOG.debugf(
          "reconciled %s/%s: %d nodes, %d pods; observe %d ms, decide %d ms, act %d ms"
              + " (%d deletes, %d creates), record %d ms",
          nodeDaemon.getMetadata().getNamespace(),
          nodeDaemon.getMetadata().getName(),
          nodes.size(),
          pods.size(),
          (observed - started) / 1_000_000,
          (decided - observed) / 1_000_000,
          (acted - decided) / 1_000_000,
          plan.deletes().size(),
          plan.creates().size(),
          (System.nanoTime() - acted) / 1_000_000);
    }
    UpdateControl<NodeDaemon> control = UpdateControl.noUpdate();
    Optional<Duration> again = decision.requeueAfter();
    if (!recorded) {
      again = Optional.of(Duration.ofSeconds(1)); // in case the newer version's event is lost
    }
    if (outcomes.moreToDo() || !writeProblems.isEmpty()) {
      again = Optional.of(writeProblems.isEmpty() ? Duration.ofMillis(500) : Duration.ofSeconds(5));
    }
    if (inPlaceHeld.isPresent()) {
      // Look again when the refusal's backoff ends, to patch once more.
      Duration held = Duration.between(now, inPlaceHeld.get().until());
      again = sooner(again, held);
    }
    if (predecessors.until().isPresent()) {
      Duration held =
          Duration.between(now, predecessors.until().get()).plusMillis(100); // just after it ends
      again = sooner(again, held);
    }
    if (refusal.isPresent()) {
      Duration recheck = Duration.ofSeconds(30); // the answer expires; the template may be fixed
      again = sooner(again, recheck);
    }
    String previousCurrent =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getCurrentRevision();
    if (recorded && !Objects.equals(previousCurrent, status.getCurrentRevision())) {
      // The revision store keeps status.currentRevision from pruning and reads it at the start of
      // a reconcile; a status write brings none, so look again for the history to follow.
      Duration soon = Duration.ofSeconds(1);
      again = sooner(again, soon);
    }
    if (status.getNumberReady() > status.getNumberAvailable()) {
      // minReadySeconds: look again when the next pod may have become available.
      int minReady = Objects.requireNonNullElse(nodeDaemon.getSpec().getMinReadySeconds(), 1);
      Duration wait = Duration.ofSeconds(Math.clamp(minReady, 1, 5));
      again = sooner(again, wait);
    }
    again.ifPresent(control::rescheduleAfter);
    return control;
  }

  /** The earlier of a planned requeue and {@code candidate}. */
  private static Optional<Duration> sooner(Optional<Duration> planned, Duration candidate) {
    return Optional.of(planned.filter(a -> a.compareTo(candidate) < 0).orElse(candidate));
  }

  /** Cached pods in the NodeDaemon's namespace with the NodeDaemon label and no controller. */
  @SuppressWarnings("unchecked")
  private static List<Pod> labelledWithoutController(
      Context<NodeDaemon> context, NodeDaemon nodeDaemon) {
    return ((InformerEventSource<Pod, NodeDaemon>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, POD_SOURCE))
        .list(nodeDaemon.getMetadata().getNamespace(), pod -> !Adoption.hasController(pod))
        .toList();
  }

  /** The pods of one of the two pod informers (daemon pods, pre-pull pods) for the NodeDaemon. */
  @SuppressWarnings("unchecked")
  private static List<Pod> secondaryPods(
      Context<NodeDaemon> context, String source, NodeDaemon nodeDaemon) {
    return List.copyOf(
        ((InformerEventSource<Pod, NodeDaemon>)
                context.eventSourceRetriever().getEventSourceFor(Pod.class, source))
            .getSecondaryResources(nodeDaemon));
  }

  /**
   * What follows a written status, in order: a revision whose health gates failed is marked bad; a
   * failed rollout rolls back when its gates' action or failurePolicy says so; a retry clears the
   * bad mark; one-shot requests (promote, retry) are removed from the spec. Each step is
   * idempotent, so a crash between two of them is made good by the next reconcile.
   */
  private void followUp(
      NodeDaemon nodeDaemon,
      RolloutDecider.Decision decision,
      List<ControllerRevision> revisionList,
      String updateRevision,
      Instant now) {
    Optional<ControllerRevision> updateRecord = Rollbacks.withHash(revisionList, updateRevision);
    boolean retrying = Boolean.TRUE.equals(nodeDaemon.getSpec().getRetry());
    if (decision.markBad()
        && updateRecord.isPresent()
        && Rollbacks.badReason(updateRecord.get()).isEmpty()) {
      String why = HealthGateEvaluator.describe(decision.plan().gates().failures()) + " at " + now;
      revisionStore.markBad(updateRecord.get(), why);
      events.warning(
          nodeDaemon,
          EventReason.RevisionMarkedBad.name(),
          "Revision "
              + RevisionPlanner.revisionOf(updateRecord.get())
              + " ("
              + updateRevision
              + ") marked bad: it is not rolled out again until the template changes or"
              + " spec.retry is set");
    } else if (retrying
        && !decision.markBad()
        && updateRecord.isPresent()
        && Rollbacks.badReason(updateRecord.get()).isPresent()) {
      revisionStore.markBad(updateRecord.get(), null);
      events.normal(
          nodeDaemon,
          EventReason.RevisionRetried.name(),
          "Revision "
              + RevisionPlanner.revisionOf(updateRecord.get())
              + " ("
              + updateRevision
              + ") is no longer marked bad: rolling it out again");
    }
    RolloutAssessor.Assessment rollout = decision.rollout();
    String stable =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getCurrentRevision();
    boolean failedRolloutWasRollback = Boolean.TRUE.equals(rollout.progress().getRollback());
    if (decision.rollbackForGates()) {
      Rollbacks.afterFailure(
              revisionList,
              updateRevision,
              stable,
              failedRolloutWasRollback,
              Rollbacks.HEALTH_GATE_FAILED,
              now)
          .ifPresent(rollback -> rollbackWriter.apply(nodeDaemon, rollback));
    } else if (rollout.phase() == RolloutPhase.Failed
        && !decision.markBad()
        && nodeDaemon.getSpec().getFailurePolicy() == FailurePolicy.Rollback) {
      Rollbacks.afterFailure(revisionList, updateRevision, stable, failedRolloutWasRollback, now)
          .ifPresent(rollback -> rollbackWriter.apply(nodeDaemon, rollback));
    }
    if (nodeDaemon.getSpec().getPromote() != null || nodeDaemon.getSpec().getRetry() != null) {
      if (nodeDaemon.getSpec().getPromote() != null) {
        events.normal(
            nodeDaemon,
            EventReason.StepPromoted.name(),
            Boolean.TRUE.equals(nodeDaemon.getSpec().getPromote().getFull())
                ? "Promoted past every remaining pause"
                : "Promoted past step " + nodeDaemon.getSpec().getPromote().getFromStep());
      }
      rollbackWriter.removeRequests(nodeDaemon);
    }
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
    templateAdmission.retainOnly(live);
    inPlaceRefusals.retainOnly(live);
    metrics.retainOnly(live);
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
