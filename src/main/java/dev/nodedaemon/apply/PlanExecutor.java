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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Carries out a {@link PodPlan} through the {@link PodWriter} and records an event per write.
 *
 * <p>Creates go in slow-start batches (1, 2, 4, ... as the built-in controller does): when the
 * template cannot be created at all, one request fails instead of one per node. Deletes go the same
 * way. At most {@link #MAX_CREATES_PER_STEP} creates per step; the rest come next step.
 */
public final class PlanExecutor {

  public static final int MAX_CREATES_PER_STEP = 500;
  private static final int MAX_PARALLEL = 16;

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

    List<Deletion> deletions = plan.deletes();
    List<Result> deleted =
        slowStart(
            deletions, d -> d.orphan() ? writer.deleteOrphan(d.pod()) : writer.delete(d.pod()));
    // Replacements follow only deletes that happened: a node whose old pod is still there (a
    // conflict, an error) never gets a second pod.
    List<String> replacements = new ArrayList<>();
    for (int i = 0; i < deleted.size(); i++) {
      Pod pod = deletions.get(i).pod();
      Result result = deleted.get(i);
      if (deletions.get(i).replaceOn() != null
          && (result.outcome() == Outcome.DONE || result.outcome() == Outcome.NOT_FOUND)) {
        replacements.add(deletions.get(i).replaceOn());
      }
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
    if (deleted.size() < deletions.size()) {
      moreToDo = true;
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

    java.util.LinkedHashSet<String> creating = new java.util.LinkedHashSet<>(plan.creates());
    creating.addAll(replacements);
    List<String> nodes = new ArrayList<>(creating);
    if (nodes.size() > MAX_CREATES_PER_STEP) {
      nodes = nodes.subList(0, MAX_CREATES_PER_STEP);
      moreToDo = true;
    }
    List<Pod> pods = nodes.stream().map(podForNode).toList();
    List<Result> created = slowStart(pods, writer::create);
    List<Pod> done = new ArrayList<>();
    boolean refused = false;
    for (int i = 0; i < created.size(); i++) {
      Pod pod = pods.get(i);
      Result result = created.get(i);
      switch (result.outcome()) {
        case DONE -> {
          done.add(pod);
          events.normal(
              nodeDaemon, "SuccessfulCreate", "Created pod: " + pod.getMetadata().getName());
        }
        case ALREADY_EXISTS, CONFLICT, NOT_FOUND -> moreToDo = true;
        case FAILED, REFUSED -> {
          refused |= result.outcome() == Outcome.REFUSED;
          problems.add("create on node " + nodes.get(i) + ": " + result.message());
          events.warning(
              nodeDaemon,
              "FailedCreate",
              "Error creating pod on node " + nodes.get(i) + ": " + result.message());
        }
      }
    }
    if (created.size() < pods.size()) {
      moreToDo = true;
    }
    return new Outcomes(summarise(problems), moreToDo, done, refused, inPlaceRefusal);
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

  private static List<String> summarise(List<String> problems) {
    if (problems.size() <= 3) {
      return problems;
    }
    List<String> first = new ArrayList<>(problems.subList(0, 3));
    first.add("and " + (problems.size() - 3) + " more");
    return first;
  }
}
