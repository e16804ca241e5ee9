package dev.nodedaemon.testing;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.function.Predicate;

/** What the rollout tests wait for and read in a NodeDaemon's status. */
public final class StatusChecks {

  private StatusChecks() {}

  /** The status describes the current spec and is in {@code phase}. */
  public static Predicate<NodeDaemon> phase(RolloutPhase phase) {
    return nd ->
        nd.getStatus() != null
            && phase == nd.getStatus().getPhase()
            && nd.getMetadata().getGeneration().equals(nd.getStatus().getObservedGeneration());
  }

  /** Paused, for the current spec, by a hold with this reason (PodTemplateRejected, say). */
  public static Predicate<NodeDaemon> heldBy(String reason) {
    return nd ->
        phase(RolloutPhase.Paused).test(nd) && reason.equals(condition(nd, "Paused").getReason());
  }

  public static boolean conditionIs(NodeDaemon nd, String type, String status) {
    return nd.getStatus() != null
        && nd.getStatus().getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus()));
  }

  public static Condition condition(NodeDaemon nd, String type) {
    return nd.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + nd.getStatus()));
  }

  /** The image of the template's first container. */
  public static String image(NodeDaemon nd) {
    return nd.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
