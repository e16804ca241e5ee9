package dev.nodedaemon.apply;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.PodWriter.Outcome;
import dev.nodedaemon.apply.PodWriter.Result;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the API server admits pods of a NodeDaemon's update revision, asked before any working
 * pod is deleted or patched for it: a server-side dry run of one pod. A template the CRD's schema
 * cannot check (a container name that is not a DNS label, a pod a restricted Pod Security namespace
 * forbids) would otherwise cost every pod the budget lets the rollout delete, with no replacement.
 *
 * <p>The answer is remembered per NodeDaemon and revision: an admission for {@link #ADMITTED_FOR},
 * a refusal for {@link #REFUSED_FOR} (a namespace's policy may change). A question that could not
 * be asked (the API server unreachable) is not an answer: nothing is remembered, and the rollout
 * goes on as it would without the check, within its budget. {@link #forget} drops the memory when a
 * real create is refused.
 */
public final class TemplateAdmission {

  static final Duration ADMITTED_FOR = Duration.ofMinutes(10);
  static final Duration REFUSED_FOR = Duration.ofSeconds(30);

  private record Answer(String revision, Optional<String> refusal, Instant until) {}

  private final PodWriter writer;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  public TemplateAdmission(PodWriter writer) {
    this.writer = writer;
  }

  /**
   * Why the API server refuses pods of {@code revision}, or empty when it admits them (or could not
   * be asked).
   *
   * @param node a node the pod would run on, to build a real pod for it
   */
  public Optional<String> refusal(
      NodeDaemon nodeDaemon, String revision, String node, Instant now) {
    String uid = nodeDaemon.getMetadata().getUid();
    Answer known = answers.get(uid);
    if (known != null && known.revision().equals(revision) && now.isBefore(known.until())) {
      return known.refusal();
    }
    Pod probe = DaemonPodFactory.build(nodeDaemon, node, revision);
    // A generated name: the question is about the template, not about a name already taken.
    probe.getMetadata().setGenerateName(probe.getMetadata().getName() + "-");
    probe.getMetadata().setName(null);
    Result result = writer.dryRunCreate(probe);
    if (result.outcome() == Outcome.REFUSED) {
      Optional<String> refusal =
          Optional.of("the API server refuses its pods: " + result.message());
      answers.put(uid, new Answer(revision, refusal, now.plus(REFUSED_FOR)));
      return refusal;
    }
    if (result.outcome() == Outcome.DONE) {
      answers.put(uid, new Answer(revision, Optional.empty(), now.plus(ADMITTED_FOR)));
    }
    return Optional.empty();
  }

  /** Drops what is known of a NodeDaemon: a real create was refused, so ask again. */
  public void forget(String uid) {
    answers.remove(uid);
  }

  public void retainOnly(Set<String> liveUids) {
    answers.keySet().retainAll(liveUids);
  }
}
