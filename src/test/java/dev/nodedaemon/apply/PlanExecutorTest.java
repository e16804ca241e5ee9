package dev.nodedaemon.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.PodWriter.Outcome;
import dev.nodedaemon.apply.PodWriter.Result;
import dev.nodedaemon.events.EventSink;
import dev.nodedaemon.plan.HealthGateEvaluator;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.PrePullPlanner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The executor against a recording writer, like the built-in controller's fake pod control. */
class PlanExecutorTest {

  private static final PodPlan.RolloutFacts NO_ROLLOUT =
      new PodPlan.RolloutFacts(0, 0, 0, 0, List.of());

  /** A plan of these writes only, as the executor sees one. */
  private static PodPlan writes(List<String> creates, List<PodPlan.Deletion> deletes) {
    return writes(creates, Set.of(), deletes);
  }

  /** A plan of these writes only, {@code surgeCreates} among its creates. */
  private static PodPlan writes(
      List<String> creates, Set<String> surgeCreates, List<PodPlan.Deletion> deletes) {
    return new PodPlan(
        creates,
        surgeCreates,
        deletes,
        List.of(),
        List.of(),
        List.of(),
        Map.of(),
        Optional.empty(),
        NO_ROLLOUT,
        HealthGateEvaluator.Verdict.passing(1),
        null,
        PrePullPlanner.NONE);
  }

  /** Records every write; answers from a function of the pod name. */
  static final class RecordingWriter implements PodWriter {
    final List<String> creates = Collections.synchronizedList(new ArrayList<>());
    final List<String> deletes = Collections.synchronizedList(new ArrayList<>());
    final List<String> inPlace = Collections.synchronizedList(new ArrayList<>());
    Function<String, Result> answer = name -> Result.DONE;

    @Override
    public Result create(Pod pod) {
      creates.add(pod.getMetadata().getName());
      return answer.apply(pod.getMetadata().getName());
    }

    @Override
    public Result dryRunCreate(Pod pod) {
      return answer.apply(pod.getMetadata().getGenerateName());
    }

    @Override
    public Result delete(Pod pod) {
      deletes.add(pod.getMetadata().getName());
      return answer.apply(pod.getMetadata().getName());
    }

    @Override
    public Result deleteOrphan(Pod pod) {
      return delete(pod);
    }

    @Override
    public Result updateInPlace(PodPlan.InPlacePatch patch) {
      inPlace.add(patch.pod().getMetadata().getName());
      return answer.apply(patch.pod().getMetadata().getName());
    }

    @Override
    public Result adopt(Pod pod, OwnerReference owner, String nodeDaemonName, String revision) {
      return Result.DONE;
    }
  }

  static final class RecordingEvents implements EventSink {
    final List<String> reasons = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void normal(HasMetadata object, String reason, String message) {
      reasons.add(reason);
    }

    @Override
    public void warning(HasMetadata object, String reason, String message) {
      reasons.add(reason);
    }
  }

  private final RecordingWriter writer = new RecordingWriter();
  private final RecordingEvents events = new RecordingEvents();
  private final PlanExecutor executor = new PlanExecutor(writer, events);
  private final NodeDaemon nodeDaemon = nodeDaemon();

  @Test
  void createsEveryPlannedPodAndReportsThemCreated() {
    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, creates(10), this::podFor);

    assertThat(writer.creates).hasSize(10);
    assertThat(outcomes.created()).hasSize(10);
    assertThat(outcomes.problems()).isEmpty();
    assertThat(outcomes.moreToDo()).isFalse();
    assertThat(events.reasons).containsOnly("SuccessfulCreate").hasSize(10);
  }

  @Test
  void slowStartStopsAfterTheFirstBatchWithAFailure() {
    writer.answer = failingSlowly(name -> true, "forbidden");

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, creates(100), this::podFor);

    assertThat(writer.creates).as("one request, not one per node").hasSize(1);
    assertThat(outcomes.created()).isEmpty();
    assertThat(outcomes.problems()).singleElement().asString().contains("forbidden");
    assertThat(events.reasons).containsExactly("FailedCreate");
  }

  @Test
  void anAlreadyExistingPodIsNotAnErrorButLeavesWorkForTheNextStep() {
    writer.answer = name -> new Result(Outcome.ALREADY_EXISTS, "exists");

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, creates(3), this::podFor);

    assertThat(outcomes.problems()).isEmpty();
    assertThat(outcomes.created()).isEmpty();
    assertThat(outcomes.moreToDo()).isTrue();
    assertThat(events.reasons).isEmpty();
  }

  @Test
  void atMostMaxCreatesPerStep() {
    int planned = PlanExecutor.MAX_CREATES_PER_STEP + 20;

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, creates(planned), this::podFor);

    assertThat(writer.creates).hasSize(PlanExecutor.MAX_CREATES_PER_STEP);
    assertThat(outcomes.moreToDo()).isTrue();
  }

  @Test
  void deletesWithTheirReason() {
    Pod pod = new PodBuilder().withNewMetadata().withName("old").endMetadata().build();
    PodPlan plan = writes(List.of(), List.of(new PodPlan.Deletion(pod, "node gone")));

    executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(writer.deletes).containsExactly("old");
    assertThat(events.reasons).containsExactly("SuccessfulDelete");
  }

  @Test
  void aReplacedNodeGetsItsNewPodOnlyAfterItsOldPodsDeleteSucceeded() {
    Pod deletable = new PodBuilder().withNewMetadata().withName("old-n1").endMetadata().build();
    Pod changed = new PodBuilder().withNewMetadata().withName("old-n2").endMetadata().build();
    writer.answer =
        name -> name.equals("old-n2") ? new Result(Outcome.CONFLICT, "changed") : Result.DONE;
    PodPlan plan =
        writes(
            List.of("n3"),
            List.of(
                new PodPlan.Deletion(deletable, "rolling update", false, "n1"),
                new PodPlan.Deletion(changed, "rolling update", false, "n2")));

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, plan, this::podFor);

    // n1's old pod went, so n1 gets its new pod now; n2's delete conflicted: n2 keeps its old pod
    // and gets nothing until a later step deletes it.
    assertThat(writer.deletes).containsExactlyInAnyOrder("old-n1", "old-n2");
    assertThat(writer.creates).containsExactlyInAnyOrder("agent-n3", "agent-n1");
    assertThat(outcomes.moreToDo()).isTrue();
  }

  @Test
  void aReplacementIsCreatedRightAfterItsOwnDeleteNotAfterTheStepsLastDelete() throws Exception {
    // The delete of n2's old pod answers only once n1's replacement exists: an executor that
    // creates replacements after all deletes of the step never gets there.
    java.util.concurrent.CountDownLatch n1Created = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean waitedInVain =
        new java.util.concurrent.atomic.AtomicBoolean();
    writer.answer =
        name -> {
          if (name.equals("agent-n1")) {
            n1Created.countDown();
          } else if (name.equals("old-n2")) {
            try {
              waitedInVain.set(!n1Created.await(10, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return Result.DONE;
        };
    PodPlan plan =
        writes(
            List.of(),
            List.of(
                new PodPlan.Deletion(pod("old-n1"), "rolling update", false, "n1"),
                new PodPlan.Deletion(pod("old-n2"), "rolling update", false, "n2")));

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(waitedInVain).as("n1's replacement waited for n2's delete").isFalse();
    assertThat(writer.creates).containsExactlyInAnyOrder("agent-n1", "agent-n2");
    assertThat(outcomes.created()).hasSize(2);
    assertThat(outcomes.moreToDo()).isFalse();
  }

  @Test
  void aWriteThatIsNeverAnsweredEndsTheStepAtTheWriteDeadline() {
    // n1's replacement create never gets an answer (an API server that went away mid-request);
    // n2's replacement waits for it in the step's slow start. Unbounded, the step (and the
    // NodeDaemon's reconcile with it) would wait for ever.
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    writer.answer =
        name -> {
          if (name.equals("agent-n1")) {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return Result.DONE;
        };
    PlanExecutor bounded =
        new PlanExecutor(new BoundedPodWriter(writer, java.time.Duration.ofMillis(500)), events);
    PodPlan plan =
        writes(
            List.of(),
            List.of(
                new PodPlan.Deletion(pod("old-n1"), "rolling update", false, "n1"),
                new PodPlan.Deletion(pod("old-n2"), "rolling update", false, "n2")));

    PlanExecutor.Outcomes outcomes =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20),
            () -> bounded.execute(nodeDaemon, plan, this::podFor));

    assertThat(writer.deletes).containsExactlyInAnyOrder("old-n1", "old-n2");
    assertThat(outcomes.problems().toString())
        .contains("create on node n1: no answer from the API server");
    assertThat(outcomes.created())
        .extracting(p -> p.getMetadata().getName())
        .doesNotContain("agent-n1");
    assertThat(events.reasons).contains("FailedCreate");
  }

  @Test
  void surgeCreatesStartOnlyOnceTheStepsDeletesAreAnswered() {
    // Under maxSurge a step deletes the old pods of nodes whose new pod is available and creates
    // surge pods on other nodes in the room that makes: a surge create that lands before those
    // deletes puts one node too many at two pods. The delete waits (up to a second) for a create
    // to start: an executor that creates meanwhile shows the create first.
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch createStarted = new java.util.concurrent.CountDownLatch(1);
    writer.answer =
        name -> {
          if (name.startsWith("agent-")) {
            createStarted.countDown();
            order.add("create " + name);
          } else {
            try {
              createStarted.await(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            order.add("deleted " + name);
          }
          return Result.DONE;
        };
    PodPlan plan =
        writes(
            List.of("n2"),
            List.of(new PodPlan.Deletion(pod("old-n1"), "rolling update", false, null)));

    executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(order).containsExactly("deleted old-n1", "create agent-n2");
  }

  @Test
  void surgeCreatesWaitForTheNextStepWhenADeleteOfTheStepDidNotHappen() {
    // The API server went away mid-step (FaultMatrixIT's blackout): n1's old pod is still there
    // beside its available new pod, so the surge pod for n2 would make one node too many at two
    // pods. n3 has no pod at all: its create is no surge and goes ahead.
    writer.answer =
        name ->
            name.equals("old-n1") ? new Result(Outcome.FAILED, "connection refused") : Result.DONE;
    PodPlan plan =
        writes(
            List.of("n2", "n3"),
            Set.of("n2"),
            List.of(new PodPlan.Deletion(pod("old-n1"), "rolling update", false, null)));

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(writer.creates).containsExactly("agent-n3");
    assertThat(outcomes.moreToDo()).isTrue();
    assertThat(outcomes.problems()).containsExactly("delete old-n1: connection refused");
  }

  @Test
  void surgeCreatesGoOnceEveryDeleteOfTheStepHappened() {
    writer.answer =
        name -> name.equals("old-n1") ? new Result(Outcome.NOT_FOUND, "gone") : Result.DONE;
    PodPlan plan =
        writes(
            List.of("n2", "n3"),
            Set.of("n2", "n3"),
            List.of(
                new PodPlan.Deletion(pod("old-n1"), "rolling update", false, null),
                new PodPlan.Deletion(pod("old-n4"), "rolling update", false, null)));

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(writer.creates).containsExactlyInAnyOrder("agent-n2", "agent-n3");
    assertThat(outcomes.moreToDo()).isFalse();
  }

  @Test
  void aFailedCreateStopsTheReplacementsNotYetStartedButNoDelete() {
    writer.answer = failingSlowly(name -> name.startsWith("agent-"), "quota");
    List<PodPlan.Deletion> deletions =
        IntStream.range(0, 50)
            .mapToObj(i -> new PodPlan.Deletion(pod("old-n" + i), "rolling update", false, "n" + i))
            .toList();
    PodPlan plan = writes(List.of(), deletions);

    PlanExecutor.Outcomes outcomes = executor.execute(nodeDaemon, plan, this::podFor);

    assertThat(writer.deletes).hasSize(50);
    assertThat(writer.creates).as("one failed create, not one per node").hasSize(1);
    assertThat(outcomes.moreToDo()).isTrue();
    assertThat(outcomes.problems()).singleElement().asString().contains("quota");
  }

  /**
   * Fails the writes {@code failing} picks; the first of them answers only once a second one has
   * started, or after a second: an executor without slow start starts the others meanwhile.
   */
  private static Function<String, Result> failingSlowly(
      java.util.function.Predicate<String> failing, String message) {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
    return name -> {
      if (!failing.test(name)) {
        return Result.DONE;
      }
      if (calls.incrementAndGet() == 1) {
        try {
          second.await(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        second.countDown();
      }
      return new Result(Outcome.FAILED, message);
    };
  }

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static PodPlan creates(int count) {
    return writes(IntStream.range(0, count).mapToObj(i -> "n" + i).toList(), List.of());
  }

  private Pod podFor(String node) {
    return new PodBuilder().withNewMetadata().withName("agent-" + node).endMetadata().build();
  }

  private static NodeDaemon nodeDaemon() {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(
        new ObjectMetaBuilder().withName("agent").withNamespace("ns").withUid("u").build());
    return nd;
  }
}
