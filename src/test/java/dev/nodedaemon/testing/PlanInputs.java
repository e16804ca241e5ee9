package dev.nodedaemon.testing;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PlanInput.NodeBackoff;
import dev.nodedaemon.plan.RevisionIndex;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Planner inputs for table tests: the NodeDaemon, its update revision, the cluster and the clock,
 * with every memory of the reconciler (backoff, readiness, expectations, refusal, pre-pull pods)
 * empty unless a case sets it.
 */
public final class PlanInputs {

  private final NodeDaemon nodeDaemon;
  private final String updateRevision;
  private final ClusterSnapshot snapshot;
  private final Instant now;
  private RevisionIndex revisions = RevisionIndex.EMPTY;
  private Map<String, NodeBackoff> backoff = Map.of();
  private Map<String, Instant> firstSeenReady = Map.of();
  private Set<String> creationsInFlight = Set.of();
  private Optional<String> templateRefusal = Optional.empty();
  private List<Pod> prePullPods = List.of();

  private PlanInputs(
      NodeDaemon nodeDaemon, String updateRevision, ClusterSnapshot snapshot, Instant now) {
    this.nodeDaemon = nodeDaemon;
    this.updateRevision = updateRevision;
    this.snapshot = snapshot;
    this.now = now;
  }

  public static PlanInputs of(
      NodeDaemon nodeDaemon, String updateRevision, ClusterSnapshot snapshot, Instant now) {
    return new PlanInputs(nodeDaemon, updateRevision, snapshot, now);
  }

  public PlanInputs revisions(RevisionIndex revisions) {
    this.revisions = revisions;
    return this;
  }

  public PlanInputs backoff(Map<String, NodeBackoff> backoff) {
    this.backoff = backoff;
    return this;
  }

  public PlanInputs creationsInFlight(Set<String> nodes) {
    this.creationsInFlight = nodes;
    return this;
  }

  public PlanInputs templateRefusal(Optional<String> refusal) {
    this.templateRefusal = refusal;
    return this;
  }

  public PlanInputs prePullPods(List<Pod> pods) {
    this.prePullPods = pods;
    return this;
  }

  public PlanInput build() {
    return new PlanInput(
        nodeDaemon,
        updateRevision,
        revisions,
        snapshot,
        backoff,
        firstSeenReady,
        creationsInFlight,
        templateRefusal,
        now,
        prePullPods);
  }
}
