package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RollingUpdate;
import dev.nodedaemon.api.RolloutProgress;
import dev.nodedaemon.api.RolloutStep;
import dev.nodedaemon.api.StepState;
import dev.nodedaemon.plan.Durations;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The step of a staged rollout as the plugin words it: {@code step 2/4: 10%, soaking 3m of 10m}.
 * Pure. Every number is the operator's (status.rollout: step, stepCount, stepNodes, stepState,
 * stepStateTime); the spec only lends the words the user wrote for the step ({@code 10%}) and the
 * soak's length, both read from the step status.rollout.step names.
 *
 * @param step 1-based
 * @param exposure the step's {@code nodes} as written ({@code 10%}, {@code 1 node}), or the
 *     operator's node count when the spec no longer has that step
 * @param soak the step's soak duration; empty when it waits for a promote or goes straight on
 * @param since when the step entered its state (the soak's start)
 */
record StepView(
    int step,
    int count,
    String exposure,
    Integer stepNodes,
    StepState state,
    Optional<Duration> soak,
    Instant since) {

  /** The step the operator reports in status, if the rollout is staged. */
  static Optional<StepView> of(NodeDaemon nodeDaemon) {
    RolloutProgress rollout =
        nodeDaemon.getStatus() == null ? null : nodeDaemon.getStatus().getRollout();
    if (rollout == null || rollout.getStep() == null) {
      return Optional.empty();
    }
    int step = rollout.getStep();
    Optional<RolloutStep> spec = specStep(nodeDaemon, step);
    String exposure =
        spec.map(s -> words(s.getNodes()))
            .orElseGet(() -> rollout.getStepNodes() == null ? "?" : nodes(rollout.getStepNodes()));
    Optional<Duration> soak =
        spec.map(RolloutStep::getPause)
            .flatMap(p -> Durations.parse(p.getDuration()))
            .filter(d -> !d.isZero());
    return Optional.of(
        new StepView(
            step,
            rollout.getStepCount() == null ? step : rollout.getStepCount(),
            exposure,
            rollout.getStepNodes(),
            rollout.getStepState(),
            soak,
            Output.instant(rollout.getStepStateTime())));
  }

  /** {@code step 2/4: 10%} */
  String label() {
    return "step " + step + "/" + count + ": " + exposure;
  }

  /**
   * {@code step 2/4: 10%, soaking 3m of 10m}, {@code step 2/4: 10%, waiting for promote}, or the
   * label alone while the step's nodes are still moving.
   */
  String describe(Instant now) {
    if (state == StepState.WaitingForPromote) {
      return label() + ", waiting for promote";
    }
    if (state == StepState.Soaking) {
      return label() + ", soaking " + soaked(now);
    }
    return label();
  }

  /**
   * When what {@link #describe} says next changes by the clock alone: the soak's next whole minute
   * (the time shown moves in minutes once past the first), or its end. Empty when not soaking.
   */
  Optional<Instant> nextChange(Instant now) {
    if (state != StepState.Soaking || since == null) {
      return Optional.empty();
    }
    Duration elapsed = Duration.between(since, now);
    if (elapsed.isNegative()) {
      return Optional.of(since);
    }
    Instant next = since.plus(Duration.ofMinutes(elapsed.toMinutes() + 1));
    Optional<Instant> end = soak.map(since::plus).filter(now::isBefore);
    return Optional.of(end.filter(next::isAfter).orElse(next));
  }

  /** {@code 3m of 10m}; {@code 3m} when the soak's length is unknown. */
  private String soaked(Instant now) {
    Duration elapsed = since == null ? Duration.ZERO : Duration.between(since, now);
    if (elapsed.isNegative()) {
      elapsed = Duration.ZERO; // the operator's clock ahead of this machine's
    }
    if (soak.isPresent() && elapsed.compareTo(soak.get()) > 0) {
      elapsed = soak.get();
    }
    // Whole minutes once past one: the line is reprinted on change, not every second.
    Duration shown =
        elapsed.toMinutes() >= 1
            ? Duration.ofMinutes(elapsed.toMinutes())
            : Duration.ofSeconds(elapsed.toSeconds());
    return Durations.format(shown) + soak.map(d -> " of " + Durations.format(d)).orElse("");
  }

  private static Optional<RolloutStep> specStep(NodeDaemon nodeDaemon, int step) {
    RollingUpdate rolling =
        nodeDaemon.getSpec() == null || nodeDaemon.getSpec().getUpdateStrategy() == null
            ? null
            : nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate();
    List<RolloutStep> steps = rolling == null ? null : rolling.getSteps();
    if (steps == null || step < 1 || step > steps.size()) {
      return Optional.empty();
    }
    return Optional.ofNullable(steps.get(step - 1));
  }

  /** Whether the NodeDaemon's spec has steps (a staged rollout). */
  static boolean staged(NodeDaemon nodeDaemon) {
    RollingUpdate rolling =
        nodeDaemon.getSpec() == null || nodeDaemon.getSpec().getUpdateStrategy() == null
            ? null
            : nodeDaemon.getSpec().getUpdateStrategy().getRollingUpdate();
    return rolling != null && rolling.getSteps() != null && !rolling.getSteps().isEmpty();
  }

  /** A step's {@code nodes} as written: {@code 10%}, {@code 1 node}, {@code 5 nodes}. */
  static String words(IntOrString nodes) {
    if (nodes == null) {
      return "?";
    }
    return nodes.getIntVal() != null ? nodes(nodes.getIntVal()) : nodes.getStrVal();
  }

  private static String nodes(int count) {
    return count + (count == 1 ? " node" : " nodes");
  }
}
