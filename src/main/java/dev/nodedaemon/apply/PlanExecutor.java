package dev.nodedaemon.apply;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.PodWriter.Outcome;
import dev.nodedaemon.apply.PodWriter.Result;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.PodPlan.Deletion;
import dev.nodedaemon.plan.PodPlan.InPlacePatch;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Carries out a {@link PodPlan} through the {@link PodWriter} and records an event per write.
 *
 * <p>Deletes go out together, at most {@link #MAX_PARALLEL} at a time, as the built-in controller's
 * do (each is preconditioned on the pod's resourceVersion, so a stale plan deletes nothing). A node
 * whose old pod is deleted to be replaced gets its new pod right after that delete, not after the
 * step's last one: at 1,000 nodes under load the step's deletes took several round trips, and the
 * replacements waited for all of them. Creates go through one {@link SlowStart} (the first alone,
 * then the rest once it succeeded): when the template cannot be created at all, one request fails
 * instead of one per node. In-place patches keep batches of 1, 2, 4, ... At most {@link
 * #MAX_CREATES_PER_STEP} creates per step; the rest come next step.
 */
public final class PlanExecutor {

  public static final int MAX_CREATES_PER_STEP = 500;

  /** The answer for a surge create not attempted because a delete of its step did not happen. */
  private static final Result HELD_FOR_DELETES =
      new Result(Outcome.FAILED, "not attempted: a delete of the step did not happen");

  private static final int MAX_PARALLEL = 32;

  private final PodWriter writer;
  private final EventSink events;

  public PlanExecutor(PodWriter writer, EventSink events) {
    this.writer = writer;
    this.events = events;
  }

  /**
   * What the step achieved: problems to report, and whether work is left for the next step.
   *
   * @param refused a create was refused by the API server as invalid or forbidden
   * @param inPlaceRefusal the API server's message when it refused an in-place patch
   */
  public record Outcomes(
      List<String> problems,
      boolean moreToDo,
      List<Pod> created,
      boolean refused,
      java.util.Optional<String> inPlaceRefusal) {}

  public Outcomes execute(NodeDaemon nodeDaemon, PodPlan plan, Function<String, Pod> podForNode) {
    events.record(nodeDaemon, plan.events());
    List<String> problems = new ArrayList<>();
    boolean moreToDo = false;

    // Deletes all go at once (bounded by the pool), as the built-in controller's do; each one that
    // succeeds is followed at once by its node's replacement create, instead of after the last
    // delete of the step; other creates follow the step's deletes. Creates, replacements and
    // fresh ones alike, share one slow start.
    List<Deletion> deletions = plan.deletes();
    java.util.LinkedHashSet<String> creating = new java.util.LinkedHashSet<>(plan.creates());
    int createQuota = MAX_CREATES_PER_STEP;
    List<String> fresh = new ArrayList<>(creating);
    if (fresh.size() > createQuota) {
      fresh = fresh.subList(0, createQuota);
      moreToDo = true;
    }
    createQuota -= fresh.size();
    SlowStart createStart = new SlowStart();
    List<Result> deleted = new ArrayList<>(deletions.size());
    List<String> replaced = new ArrayList<>(deletions.size());
    List<Pod> replacementPods = new ArrayList<>(deletions.size());
    List<Result> replacementResults = new ArrayList<>(deletions.size());
    List<Pod> freshPods = fresh.stream().map(podForNode).toList();
    List<Result> freshResults;
    try (ExecutorService pool =
        Executors.newFixedThreadPool(MAX_PARALLEL, Thread.ofVirtual().factory())) {
      List<Future<Result>> deleteFutures = new ArrayList<>();
      List<Future<Result>> replaceFutures = new ArrayList<>();
      for (Deletion deletion : deletions) {
        String node = deletion.replaceOn();
        boolean replace = node != null && !creating.contains(node) && createQuota > 0;
        if (replace) {
          creating.add(node);
          createQuota--;
        } else if (node != null && !creating.contains(node)) {
          moreToDo = true; // over this step's create quota: the next step creates it
        }
        Pod replacement = replace ? podForNode.apply(node) : null;
        CompletableFuture<Result> created = new CompletableFuture<>();
        deleteFutures.add(
            pool.submit(
                () -> {
                  Result result = deleteOne(deletion);
                  // A replacement follows only a delete that happened: a node whose old pod is
                  // still there (a conflict, an error) never gets a second pod.
                  created.complete(
                      replacement != null && gone(result)
                          ? createStart.run(writer, replacement)
                          : null);
                  return result;
                }));
        replaceFutures.add(created);
        replaced.add(replace ? node : null);
        replacementPods.add(replacement);
      }
      for (Future<Result> future : deleteFutures) {
        deleted.add(join(future));
      }
      // Other nodes' creates only once the step's deletes are answered: under maxSurge they are
      // the surge pods the deletes make room for (a node whose new pod is available stops counting
      // as surging when its old pod goes), and maxSurge must hold at every instant. So a surge
      // create waits for the next step when any delete of this one did not happen (an API server
      // that went away mid-step, a pod that changed): its node would be one too many at two pods.
      boolean everyDeleteHappened = deleted.stream().allMatch(PlanExecutor::gone);
      List<Future<Result>> freshFutures = new ArrayList<>();
      for (int i = 0; i < freshPods.size(); i++) {
        Pod pod = freshPods.get(i);
        if (!everyDeleteHappened && plan.surgeCreates().contains(fresh.get(i))) {
          freshFutures.add(CompletableFuture.completedFuture(HELD_FOR_DELETES));
        } else {
          freshFutures.add(pool.submit(() -> createStart.run(writer, pod)));
        }
      }
      for (Future<Result> future : replaceFutures) {
        replacementResults.add(joinOrNull(future));
      }
      freshResults = new ArrayList<>();
      for (Future<Result> future : freshFutures) {
        freshResults.add(join(future));
      }
    }
    for (int i = 0; i < deleted.size(); i++) {
      Pod pod = deletions.get(i).pod();
      Result result = deleted.get(i);
      switch (result.outcome()) {
        case DONE ->
            events.normal(
                nodeDaemon,
                "SuccessfulDelete",
                "Deleted pod: "
                    + pod.getMetadata().getName()
                    + " ("
                    + plan.deletes().get(i).why()
                    + ")");
        case NOT_FOUND -> {}
        case CONFLICT, ALREADY_EXISTS -> moreToDo = true;
        case FAILED, REFUSED -> {
          problems.add("delete " + pod.getMetadata().getName() + ": " + result.message());
          events.warning(
              nodeDaemon,
              "FailedDelete",
              "Error deleting pod " + pod.getMetadata().getName() + ": " + result.message());
        }
      }
    }

    List<InPlacePatch> patches = plan.inPlaceUpdates();
    List<Result> patched = slowStart(patches, writer::updateInPlace);
    java.util.Optional<String> inPlaceRefusal = java.util.Optional.empty();
    for (int i = 0; i < patched.size(); i++) {
      InPlacePatch patch = patches.get(i);
      Result result = patched.get(i);
      switch (result.outcome()) {
        case DONE ->
            events.normal(
                nodeDaemon,
                "SuccessfulUpdatePodInPlace",
                "Updated pod in place: "
                    + patch.pod().getMetadata().getName()
                    + " to revision "
                    + patch.revision()
                    + " ("
                    + patch.images().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(java.util.stream.Collectors.joining(", "))
                    + ")");
        case NOT_FOUND -> {}
        case CONFLICT, ALREADY_EXISTS -> moreToDo = true;
        case FAILED, REFUSED -> {
          if (result.outcome() == Outcome.REFUSED) {
            inPlaceRefusal = java.util.Optional.of(result.message());
          }
          problems.add(
              "update in place " + patch.pod().getMetadata().getName() + ": " + result.message());
          events.warning(
              nodeDaemon,
              "FailedUpdatePodInPlace",
              "Error updating pod "
                  + patch.pod().getMetadata().getName()
                  + " in place: "
                  + result.message());
        }
      }
    }
    if (patched.size() < patches.size()) {
      moreToDo = true;
    }

    List<String> createdNodes = new ArrayList<>(fresh);
    List<Pod> pods = new ArrayList<>(freshPods);
    List<Result> created = new ArrayList<>(freshResults);
    for (int i = 0; i < replaced.size(); i++) {
      if (replaced.get(i) != null && replacementResults.get(i) != null) {
        createdNodes.add(replaced.get(i));
        pods.add(replacementPods.get(i));
        created.add(replacementResults.get(i));
      }
    }
    List<Pod> done = new ArrayList<>();
    boolean refused = false;
    for (int i = 0; i < created.size(); i++) {
      Pod pod = pods.get(i);
      Result result = created.get(i);
      if (result == SlowStart.SKIPPED || result == HELD_FOR_DELETES) {
        moreToDo = true; // an earlier create or a delete failed: this one waits for the next step
        continue;
      }
      switch (result.outcome()) {
        case DONE -> {
          done.add(pod);
          events.normal(
              nodeDaemon, "SuccessfulCreate", "Created pod: " + pod.getMetadata().getName());
        }
        case ALREADY_EXISTS, CONFLICT, NOT_FOUND -> moreToDo = true;
        case FAILED, REFUSED -> {
          refused |= result.outcome() == Outcome.REFUSED;
          problems.add("create on node " + createdNodes.get(i) + ": " + result.message());
          events.warning(
              nodeDaemon,
              "FailedCreate",
              "Error creating pod on node " + createdNodes.get(i) + ": " + result.message());
        }
      }
    }
    return new Outcomes(summarise(problems), moreToDo, done, refused, inPlaceRefusal);
  }

  /** A delete that happened: the pod is gone or going (or was gone already). */
  private static boolean gone(Result delete) {
    return delete.outcome() == Outcome.DONE || delete.outcome() == Outcome.NOT_FOUND;
  }

  private Result deleteOne(Deletion deletion) {
    try {
      return deletion.orphan()
          ? writer.deleteOrphan(deletion.pod())
          : writer.delete(deletion.pod());
    } catch (RuntimeException e) {
      return new Result(Outcome.FAILED, String.valueOf(e));
    }
  }

  /**
   * A slow start for the creates of one step: the first create goes alone, and only once the API
   * server has accepted it do the others start, up to the pool's {@link #MAX_PARALLEL} at a time;
   * the first create that fails outright stops every create of the step not yet started. A template
   * the API server refuses (or a quota already used up) costs one request, not one per node.
   *
   * <p>The built-in controller doubles its batches instead (1, 2, 4, ...). Measured at 1,000 nodes
   * on the loaded 2-core machine, one round trip to the API server took up to 0.8 s, and the seven
   * rounds of doubling for 100 pods held each rollout step for seconds (bench/results/rollout.md,
   * 2026-11-30 12:00 UTC). The first create already proves the template (and the server-side dry
   * run of TemplateAdmission checked it before any delete); what a doubling would still catch, a
   * quota running out in mid-step, stops the step at the first failure here too, with at most the
   * pool's worth of requests in flight.
   */
  static final class SlowStart {

    /** The answer for a create not attempted because an earlier one failed. */
    static final Result SKIPPED = new Result(Outcome.FAILED, "not attempted: a create failed");

    private final java.util.concurrent.locks.ReentrantLock lock =
        new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition answered = lock.newCondition();
    private int started;
    private int succeeded;
    private boolean failed;

    Result run(PodWriter writer, Pod pod) {
      lock.lock();
      try {
        while (!failed && succeeded == 0 && started > 0) {
          answered.await();
        }
        if (failed) {
          return SKIPPED;
        }
        started++;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return SKIPPED;
      } finally {
        lock.unlock();
      }
      Result result;
      try {
        result = writer.create(pod);
      } catch (RuntimeException e) {
        result = new Result(Outcome.FAILED, String.valueOf(e));
      }
      lock.lock();
      try {
        if (result.outcome() == Outcome.FAILED || result.outcome() == Outcome.REFUSED) {
          failed = true;
        } else {
          succeeded++;
        }
        answered.signalAll();
      } finally {
        lock.unlock();
      }
      return result;
    }
  }

  /**
   * Runs {@code write} over {@code items} in batches of 1, 2, 4, ...; stops after a batch in which
   * any write failed outright. Returns the results of the writes attempted, in order.
   */
  private static <T> List<Result> slowStart(List<T> items, Function<T, Result> write) {
    if (items.isEmpty()) {
      return List.of();
    }
    List<Result> results = new ArrayList<>();
    int batch = 1;
    try (ExecutorService pool =
        Executors.newFixedThreadPool(MAX_PARALLEL, Thread.ofVirtual().factory())) {
      int next = 0;
      while (next < items.size()) {
        int end = Math.min(items.size(), next + batch);
        List<Future<Result>> futures = new ArrayList<>();
        for (T item : items.subList(next, end)) {
          futures.add(pool.submit(() -> write.apply(item)));
        }
        boolean anyFailed = false;
        for (Future<Result> future : futures) {
          Result result = join(future);
          anyFailed |= result.outcome() == Outcome.FAILED || result.outcome() == Outcome.REFUSED;
          results.add(result);
        }
        if (anyFailed) {
          break;
        }
        next = end;
        batch *= 2;
      }
    }
    return results;
  }

  private static Result join(Future<Result> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Outcome.FAILED, "interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      return new Result(Outcome.FAILED, String.valueOf(e.getCause()));
    }
  }

  private static Result joinOrNull(Future<Result> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return SlowStart.SKIPPED;
    } catch (java.util.concurrent.ExecutionException e) {
      return new Result(Outcome.FAILED, String.valueOf(e.getCause()));
    }
  }

  private static List<String> summarise(List<String> problems) {
    if (problems.size() <= 3) {
      return problems;
    }
    List<String> first = new ArrayList<>(problems.subList(0, 3));
    first.add("and " + (problems.size() - 3) + " more");
    return first;
  }
}
