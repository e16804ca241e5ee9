package dev.nodedaemon.apply;

import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A {@link PodWriter} whose every write is answered within a deadline: a write the API server has
 * not answered by then counts as {@link Outcome#FAILED}, and the step goes on.
 *
 * <p>Why: a rollout step waits for its writes (a delete, then its node's replacement create; the
 * first create of the step before the others). Found by FaultMatrixIT's API blackout in CI: one
 * write that never returned after the blackout parked the NodeDaemon's reconcile for good, and the
 * JOSDK never reconciles a resource whose reconcile is still running. The client's own request
 * timeout did not bound it, so the bound is here, below the plan executor, whatever the HTTP layer
 * does.
 *
 * <p>Safe to give up on: a write that still lands after its deadline is one the plan asked for.
 * Deletes and in-place patches are preconditioned on the pod's resourceVersion, and a pod's name is
 * fixed by its node and revision, so a late create makes no second pod; the next reconcile plans
 * from what the informers then show.
 */
public final class BoundedPodWriter implements PodWriter {

  private static final Logger LOG = Logger.getLogger(BoundedPodWriter.class);

  private final PodWriter writer;
  private final Duration deadline;

  public BoundedPodWriter(PodWriter writer, Duration deadline) {
    this.writer = writer;
    this.deadline = deadline;
  }

  @Override
  public Result create(Pod pod) {
    return bounded("create pod " + name(pod), () -> writer.create(pod));
  }

  @Override
  public Result dryRunCreate(Pod pod) {
    return bounded("dry-run create pod " + name(pod), () -> writer.dryRunCreate(pod));
  }

  @Override
  public Result delete(Pod pod) {
    return bounded("delete pod " + name(pod), () -> writer.delete(pod));
  }

  @Override
  public Result deleteOrphan(Pod pod) {
    return bounded("delete pod " + name(pod), () -> writer.deleteOrphan(pod));
  }

  @Override
  public Result updateInPlace(InPlacePatch patch) {
    return bounded(
        "update pod " + name(patch.pod()) + " in place", () -> writer.updateInPlace(patch));
  }

  @Override
  public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName, String revision) {
    return bounded(
        "adopt pod " + name(pod), () -> writer.adopt(pod, owner, nodeDaemonName, revision));
  }

  /**
   * Runs {@code write} on a thread of its own and waits for it at most {@link #deadline}; on the
   * deadline the thread is interrupted (the client then stops waiting for its answer) and left.
   * Whatever the write throws is a FAILED result, so a caller never sees an exception either.
   */
  private Result bounded(String what, Supplier<Result> write) {
    CompletableFuture<Result> answer = new CompletableFuture<>();
    Thread thread =
        Thread.ofVirtual()
            .name("pod-write")
            .start(
                () -> {
                  try {
                    answer.complete(write.get());
                  } catch (Throwable e) {
                    answer.complete(new Result(Outcome.FAILED, String.valueOf(e)));
                  }
                });
    try {
      return answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
      String message = "no answer from the API server in " + deadline.toSeconds() + " s; given up";
      LOG.warnf("%s: %s", what, message);
      return new Result(Outcome.FAILED, message);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.interrupt();
      return new Result(Outcome.FAILED, "interrupted");
    } catch (ExecutionException e) {
      return new Result(Outcome.FAILED, String.valueOf(e.getCause())); // not reached: see above
    }
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
