package dev.nodedaemon.plan;

import dev.nodedaemon.api.RolloutPhase;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which rollout phase may follow which, from one reconcile to the next. {@link RolloutAssessor}
 * only ever makes these moves; its tests check every move it makes against this table.
 *
 * <pre>
 * from \ to     Progressing Paused Complete Failed RollingBack
 * (none)            x         x       x               x
 * Progressing       x         x       x       x       x
 * RollingBack       x         x       x       x       x
 * Paused            x         x       x       x       x
 * Complete          x         x       x               x
 * Failed            x         x       x       x       x
 * </pre>
 *
 * <ul>
 *   <li>Failed is reached from a rollout that was moving (Progressing or RollingBack) when its
 *       deadline passes, or from a Paused one (a step waiting for a promote) when its health gates
 *       fail; a complete one has nothing left to fail, and gates are not evaluated after it.
 *   <li>Complete is left only by a new revision (to Progressing or RollingBack) or by pausing.
 *   <li>Failed is left when progress resumes, a new revision or rollback comes, or it is paused.
 * </ul>
 */
public final class PhaseTransitions {

  private PhaseTransitions() {}

  private static final Set<RolloutPhase> ALL = EnumSet.allOf(RolloutPhase.class);
  private static final Set<RolloutPhase> NOT_FAILED =
      EnumSet.complementOf(EnumSet.of(RolloutPhase.Failed));

  private static final Map<RolloutPhase, Set<RolloutPhase>> ALLOWED =
      Map.of(
          RolloutPhase.Progressing, ALL,
          RolloutPhase.RollingBack, ALL,
          RolloutPhase.Paused, ALL,
          RolloutPhase.Complete, NOT_FAILED,
          RolloutPhase.Failed, ALL);

  /**
   * @param from the previous phase, null before the first
   */
  public static boolean allowed(RolloutPhase from, RolloutPhase to) {
    return from == null ? to != RolloutPhase.Failed : ALLOWED.get(from).contains(to);
  }
}
