package dev.nodedaemon.plan;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Merges freshly computed conditions into the previous ones so that {@code lastTransitionTime}
 * moves only when a condition's status changes, as metav1.Condition consumers expect.
 */
public final class Conditions {

  private Conditions() {}

  public static Condition of(String type, boolean status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  public static List<Condition> merge(
      List<Condition> previous, List<Condition> fresh, long generation, Instant now) {
    List<Condition> merged = new ArrayList<>();
    for (Condition condition : fresh) {
      Condition old =
          previous == null
              ? null
              : previous.stream()
                  .filter(c -> condition.getType().equals(c.getType()))
                  .findFirst()
                  .orElse(null);
      String transition =
          old != null && Objects.equals(old.getStatus(), condition.getStatus())
              ? old.getLastTransitionTime()
              : now.toString();
      merged.add(
          new ConditionBuilder(condition)
              .withObservedGeneration(generation)
              .withLastTransitionTime(transition)
              .build());
    }
    return merged;
  }
}
