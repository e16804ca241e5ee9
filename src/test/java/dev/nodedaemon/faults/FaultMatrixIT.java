package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.RolloutPhase;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.faults.FaultMatrixReport.Figures;
import dev.nodedaemon.faults.FaultMatrixReport.Outcome;
import dev.nodedaemon.observe.DaemonPods;
import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.FaultProxy.Rule;
import dev.nodedaemon.testing.LocalCluster;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.PodInvariantChecker;
import dev.nodedaemon.testing.PodInvariantChecker.Bounds;
import dev.nodedaemon.testing.PodInvariantChecker.DeletedPod;
import dev.nodedaemon.testing.ProxiedCluster;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollout under API faults, on a control plane of its own with 30 kwok nodes. The operator
 * talks to kube-apiserver only through {@link FaultProxy}. Two NodeDaemons share the nodes, one
 * rolling with maxUnavailable 5 and one with maxSurge 5, and every fault gets one image update of
 * both, in sequence:
 *
 * <ol>
 *   <li>30% of pod creates answered 500;
 *   <li>every other NodeDaemon status write answered 409;
 *   <li>pod watch events delayed 5 s;
 *   <li>pod watches cut every 10 s;
 *   <li>a 20 s blackout of the API server mid-rollout;
 *   <li>kube-apiserver restarted mid-rollout;
 *   <li>the operator killed (SIGKILL) at ten random moments of one rollout, while the proxy holds
 *       each pod create's answer 3 s after the API server made the pod, so kills land between a
 *       create done and its answer (the proxy counts the answers the killed process never got);
 *   <li>an automatic rollback: a crash-looping image fails the health gates on its first batch and
 *       the operator rolls back by itself, while 30% of pod creates are answered 500.
 * </ol>
 *
 * Each must end with the rollout complete (every node on the new image, ready, status Complete; for
 * the rollback, every node back on the image before), and never: two live pods of one revision on a
 * node, more nodes without a ready pod than maxUnavailable (none with surge), more than maxSurge
 * nodes surging, a pod deleted that was not an old-revision pod being replaced (one per node; for
 * the rollback, also the bad revision's pod), a revision lost. The table of fault, outcome and
 * worst figures is printed and written to target/fault-matrix.md.
 */
class FaultMatrixIT {

  private static final int NODES = 30;
  private static final int BUDGET = 5;
  private static final String IMAGE = "quay.io/fluentd_elasticsearch/fluentd";

  /** Long enough that a rollout outlasts the 10 s watch cut and sees several 5 s delays. */
  private static final String READY_DELAY = "2s";

  private static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(3);

  /** How long the proxy holds a pod create's answer in the kill row (see killAtRandomMoments). */
  private static final Duration CREATE_ANSWER_HOLD = Duration.ofSeconds(3);

  private static final Map<String, Bounds> DAEMONS =
      Map.of(
          "unavail", bounds(BUDGET, 0),
          "surge", bounds(0, BUDGET));

  /**
   * The checker's watch may lag up to 20 s (it reconnects with backoff after a restart), and a 410
   * Gone after the API server restarted is followed by a list (counted in the table).
   */
  private static Bounds bounds(int maxUnavailable, int maxSurge) {
    return Bounds.rollingUpdate(maxUnavailable, maxSurge)
        .withMaxLag(Duration.ofSeconds(20))
        .withRelistAfterGone();
  }

  private static ProxiedCluster faulty;
  private static FaultProxy proxy;
  private static TestFleet fleet;
  private static List<String> nodes;
  private static int version = 1;

  /** Every revision each NodeDaemon has had: none may go missing (the history limit is 10). */
  private static final Map<String, List<String>> revisionsSeen = new HashMap<>();

  @BeforeAll
  static void controlPlaneWithProxy() {
    faulty = ProxiedCluster.get();
    proxy = faulty.proxy();
    faulty.operator();
    fleet = new TestFleet(faulty.cluster(), "matrix");
    nodes = fleet.addNodes("n", NODES);
    for (String name : DAEMONS.keySet()) {
      NodeDaemon nd = TestFleet.withReadyDelay(fleet.logAgent(name), READY_DELAY);
      nd.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image(version));
      boolean surge = name.equals("surge");
      TestFleet.withRollingUpdate(nd, surge ? 0 : BUDGET, surge ? BUDGET : null);
      fleet.create(nd);
    }
    for (String name : DAEMONS.keySet()) {
      awaitComplete(name, image(version));
      revisionsSeen
          .computeIfAbsent(name, n -> new ArrayList<>())
          .add(fleet.get(name).getStatus().getUpdateRevision());
    }
  }

  @AfterAll
  static void noFaultsLeft() {
    if (proxy != null) {
      proxy.clearRules();
    }
  }

  @Test
  void everyRolloutCompletesWithinItsBudgetUnderEachFault() {
    long seed = Long.getLong("nodedaemon.faults.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Fault> faults =
        List.of(
            new Fault(
                "30% of pod creates answered 500",
                () -> proxy.setRules(Rule.errors("create", "pods", 500, 0.3)),
                "pod creates failed",
                () -> proxy.ruleCounter("errors")),
            new Fault(
                "every other status write answered 409",
                () ->
                    proxy.setRules(
                        Rule.errorEvery("update,patch", "nodedaemons", "status", 409, 2)),
                "status writes refused",
                () -> proxy.ruleCounter("errors")),
            new Fault(
                "pod watch events delayed 5 s",
                () -> proxy.setRules(Rule.watchDelay("pods", Duration.ofSeconds(5))),
                "pod watches delayed",
                () -> proxy.ruleCounter("watchesDelayed")),
            new Fault(
                "pod watches cut every 10 s",
                () -> proxy.setRules(Rule.watchCutAfter("pods", Duration.ofSeconds(10))),
                "pod watches cut",
                () -> proxy.ruleCounter("watchesCut")),
            new Fault(
                "20 s API blackout mid-rollout",
                () -> {
                  awaitUpdatedNodes(BUDGET);
                  proxy.blackout(Duration.ofSeconds(20));
                },
                "blackouts",
                () -> proxy.stats().path("blackouts").asLong() - blackoutsBefore),
            new Fault(
                "kube-apiserver restarted mid-rollout",
                () -> {
                  awaitUpdatedNodes(BUDGET);
                  Instant start = Instant.now();
                  faulty.cluster().restartApiServer();
                  restartTook = Duration.between(start, Instant.now());
                },
                "restarts",
                () -> restartTook.isZero() ? 0 : 1),
            new Fault(
                "operator SIGKILLed at 10 random moments; pod create answers held 3 s",
                () -> {
                  proxy.setRules(Rule.answerLatency("create", "pods", CREATE_ANSWER_HOLD));
                  kills = killAtRandomMoments(random, 10);
                },
                "kills with pod creates done but unanswered",
                () -> kills.stream().filter(k -> k.answersLost() > 0).count()),
            new Fault(
                "crash-looping image rolled back by its health gates; 30% of pod creates 500",
                () -> proxy.setRules(Rule.errors("create", "pods", 500, 0.3)),
                "NodeDaemons rolled back",
                FaultMatrixIT::rolledBack,
                true));

    // -Dnodedaemon.faults.only=TEXT runs only the rows whose name contains TEXT (to work on one).
    String only = System.getProperty("nodedaemon.faults.only", "");
    faults = faults.stream().filter(f -> f.name().contains(only)).toList();
    List<Outcome> outcomes = new ArrayList<>();
    for (Fault fault : faults) {
      Outcome outcome = roll(fault);
      outcomes.add(outcome);
      System.out.println("fault matrix: " + outcome.row());
      if (!outcome.completed()) {
        break; // the next rollout would start from an unfinished one
      }
    }
    String table = table(seed, outcomes);
    System.out.println(table);
    write(table);

    assertThat(outcomes).as(table).hasSize(faults.size()).allMatch(Outcome::passed);
  }

  // --- one fault, one rollout of both NodeDaemons ---

  /**
   * A fault: how to inject it during a rollout, and a count that shows it happened.
   *
   * @param badImage the rollout is of a crash-looping image, which the operator must roll back
   */
  private record Fault(
      String name, Runnable inject, String evidence, LongSupplier injected, boolean badImage) {
    Fault(String name, Runnable inject, String evidence, LongSupplier injected) {
      this(name, inject, evidence, injected, false);
    }
  }

  /** NodeDaemons whose last rollback was the operator's own, for failed health gates. */
  private static long rolledBack() {
    return DAEMONS.keySet().stream()
        .map(name -> fleet.get(name).getStatus().getLastRollback())
        .filter(r -> r != null && "HealthGateFailed".equals(r.getReason()))
        .count();
  }

  private static Duration restartTook = Duration.ZERO;
  private static long blackoutsBefore;
  private static List<Kill> kills = List.of();

  /**
   * One SIGKILL: nodes of "unavail" updated then, pod creates the API server had done but whose
   * answers the proxy still held at the kill, and how many of those the killed process never got.
   */
  private record Kill(int updated, long answersHolding, long answersLost) {}

  private Outcome roll(Fault fault) {
    String previousImage = image(version);
    String newImage = image(++version) + (fault.badImage() ? "-crashloop" : "");
    // A bad image ends where it started: the operator rolls every node back.
    String finalImage = fault.badImage() ? previousImage : newImage;
    Map<String, String> oldRevision = new HashMap<>();
    Map<String, PodInvariantChecker> checkers = new LinkedHashMap<>();
    for (String name : DAEMONS.keySet()) {
      oldRevision.put(name, fleet.get(name).getStatus().getUpdateRevision());
      checkers.put(
          name,
          new PodInvariantChecker(fleet.client(), fleet.namespace(), name, DAEMONS.get(name)));
    }
    Instant start = Instant.now();
    boolean completed = false;
    String diagnosis = "";
    long injected;
    blackoutsBefore = proxy.stats().path("blackouts").asLong();
    try {
      for (String name : DAEMONS.keySet()) {
        fleet.setImage(name, newImage);
      }
      fault.inject().run();
      for (String name : DAEMONS.keySet()) {
        awaitComplete(name, finalImage);
      }
      completed = true;
    } catch (AssertionError | RuntimeException e) {
      System.out.println("fault matrix: " + fault.name() + ": " + e);
      try {
        diagnosis = diagnose(start);
      } catch (RuntimeException d) {
        diagnosis = "(no diagnosis: " + d + ")";
      }
    } finally {
      injected = fault.injected().getAsLong();
      proxy.clearRules();
      checkers.values().forEach(PodInvariantChecker::close);
    }
    Duration took = Duration.between(start, Instant.now());
    Map<String, Figures> figures = new LinkedHashMap<>();
    for (Map.Entry<String, PodInvariantChecker> entry : checkers.entrySet()) {
      figures.put(
          entry.getKey(),
          figures(
              entry.getKey(),
              entry.getValue(),
              oldRevision.get(entry.getKey()),
              fault.badImage(),
              completed));
    }
    return new Outcome(
        fault.name(), completed, took, fault.evidence(), injected, figures, diagnosis);
  }

  /**
   * What the operator was doing when a rollout did not complete: each NodeDaemon's status and pods,
   * the operator's warnings since the rollout began, and where its reconcile threads were.
   */
  private static String diagnose(Instant rolloutStart) {
    StringBuilder out = new StringBuilder();
    for (String name : DAEMONS.keySet()) {
      NodeDaemon nd = fleet.get(name);
      out.append("- ")
          .append(name)
          .append(": generation ")
          .append(nd.getMetadata().getGeneration());
      if (nd.getStatus() != null) {
        out.append(", observed ")
            .append(nd.getStatus().getObservedGeneration())
            .append(", phase ")
            .append(nd.getStatus().getPhase());
        nd.getStatus()
            .getConditions()
            .forEach(
                c ->
                    out.append(
                        String.format(
                            "; %s=%s (%s: %s)",
                            c.getType(), c.getStatus(), c.getReason(), c.getMessage())));
      }
      Map<String, Long> pods =
          fleet.pods(name).stream()
              .collect(
                  Collectors.groupingBy(
                      p ->
                          DaemonPods.revision(p)
                              + (DaemonPods.isTerminating(p) ? " terminating" : "")
                              + (DaemonPods.isReady(p) ? " ready" : " not ready"),
                      TreeMap::new,
                      Collectors.counting()));
      out.append("\n  pods: ").append(pods).append('\n');
    }
    OperatorProcess operator = faulty.operator();
    String since = rolloutStart.toString().substring(0, 19).replace('T', ' ');
    List<String> warnings =
        operator
            .logText()
            .lines()
            .filter(l -> l.length() > 19 && l.substring(0, 19).compareTo(since) >= 0)
            .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
            .map(l -> l.length() > 400 ? l.substring(0, 400) + " ..." : l)
            .toList();
    out.append("- operator warnings since the rollout began (")
        .append(warnings.size())
        .append(", the first 15):\n");
    warnings.stream().limit(15).forEach(l -> out.append("  ").append(l).append('\n'));
    out.append("- reconcile threads:\n").append(operator.threadStacks("ReconcilerExecutor", 12));
    out.append("- virtual threads in NodeDaemon code:\n").append(operator.virtualThreadStacks(16));
    return out.toString();
  }

  private static Figures figures(
      String name,
      PodInvariantChecker checker,
      String oldRevision,
      boolean rollback,
      boolean completed) {
    List<DeletedPod> deleted = checker.deletedPods();
    Map<String, Long> deletesPerNode =
        deleted.stream().collect(Collectors.groupingBy(DeletedPod::node, Collectors.counting()));
    // The plan deletes exactly each node's old-revision pod, once. A rollback also deletes the bad
    // revision's pod where one was made (and the old revision's pod comes back under the same
    // revision), so at most two per node; the pods of any third revision are never touched.
    String badRevision = rollback ? badRevision(name, oldRevision) : null;
    int unplanned =
        (int)
                deleted.stream()
                    .filter(
                        d ->
                            !oldRevision.equals(d.revision())
                                && !java.util.Objects.equals(badRevision, d.revision()))
                    .count()
            + (int) deletesPerNode.values().stream().filter(n -> n > (rollback ? 2 : 1)).count();
    int lost = 0;
    if (completed) {
      String now = fleet.get(name).getStatus().getUpdateRevision();
      revisionsSeen.get(name).add(now);
      Set<String> present =
          fleet
              .client()
              .resources(ControllerRevision.class)
              .inNamespace(fleet.namespace())
              .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name)
              .list()
              .getItems()
              .stream()
              .map(r -> r.getMetadata().getLabels().get(DaemonPodFactory.REVISION_LABEL))
              .collect(Collectors.toSet());
      lost = (int) revisionsSeen.get(name).stream().filter(h -> !present.contains(h)).count();
    }
    return new Figures(
        checker.peakNodesWithoutReadyPod(),
        checker.peakPerNode(),
        checker.peakSurgingNodes(),
        deleted.size(),
        unplanned,
        lost,
        checker.worstLag(),
        checker.relists(),
        checker.violations());
  }

  /** The revision the rollback came from: the newest one that is not {@code oldRevision}. */
  private static String badRevision(String name, String oldRevision) {
    return fleet
        .client()
        .resources(ControllerRevision.class)
        .inNamespace(fleet.namespace())
        .withLabel(DaemonPodFactory.NODEDAEMON_LABEL, name)
        .list()
        .getItems()
        .stream()
        .filter(
            r ->
                !oldRevision.equals(
                    r.getMetadata().getLabels().get(DaemonPodFactory.REVISION_LABEL)))
        .max(java.util.Comparator.comparingLong(ControllerRevision::getRevision))
        .map(r -> r.getMetadata().getLabels().get(DaemonPodFactory.REVISION_LABEL))
        .orElse(null);
  }

  // --- faults that act mid-rollout ---

  /** Waits until at least {@code count} nodes of each NodeDaemon run a ready new-revision pod. */
  private static void awaitUpdatedNodes(int count) {
    for (String name : DAEMONS.keySet()) {
      fleet.awaitPods(name, pods -> updatedReady(pods) >= count, Duration.ofMinutes(2));
    }
  }

  /**
   * Kills the operator {@code kills} times, each a random 0.2 to 2 s after it became ready, and
   * starts a new one each time. The proxy holds every pod create's answer {@link
   * #CREATE_ANSWER_HOLD} after the API server has made the pod, so a kill lands while creates are
   * in flight (without the hold the creates of a batch finish in milliseconds, and a kill nearly
   * always fell between them); the proxy's counters show it for each kill.
   */
  private static List<Kill> killAtRandomMoments(Random random, int count) {
    List<Kill> done = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long wait = 200 + random.nextInt(1800);
      try {
        Thread.sleep(wait); // the random moment itself, not a wait for anything
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      long lostBefore = proxy.ruleCounter("answersLost");
      long holding = proxy.ruleCounter("answersHolding");
      faulty.operator().kill();
      int updated = updatedReady(fleet.pods("unavail"));
      faulty.operator();
      // The proxy saw the killed client's connections close long before the new one was ready.
      Kill kill = new Kill(updated, holding, proxy.ruleCounter("answersLost") - lostBefore);
      System.out.printf(
          "fault matrix: kill %d after %d ms: %d nodes updated, %d pod creates done and held,"
              + " %d of their answers never received%n",
          i + 1, wait, kill.updated(), kill.answersHolding(), kill.answersLost());
      done.add(kill);
    }
    return done;
  }

  // --- waiting ---

  private static void awaitComplete(String name, String image) {
    fleet.awaitPods(name, allOn(image), ROLLOUT_TIMEOUT);
    fleet.awaitStatus(
        name,
        nd ->
            nd.getStatus() != null
                && nd.getMetadata().getGeneration().equals(nd.getStatus().getObservedGeneration())
                && nd.getStatus().getPhase() == RolloutPhase.Complete
                && Integer.valueOf(NODES).equals(nd.getStatus().getUpdatedNumberAvailable())
                && Integer.valueOf(NODES).equals(nd.getStatus().getNumberAvailable()));
  }

  /** Exactly one live pod on each node, all ready on {@code image}. */
  private static Predicate<List<Pod>> allOn(String image) {
    return pods -> {
      List<Pod> live = pods.stream().filter(p -> !DaemonPods.isTerminating(p)).toList();
      return live.size() == NODES
          && live.stream().allMatch(p -> DaemonPods.isReady(p) && image.equals(TestFleet.image(p)))
          && live.stream()
              .map(p -> p.getSpec().getNodeName())
              .collect(Collectors.toSet())
              .containsAll(nodes);
    };
  }

  private static int updatedReady(List<Pod> pods) {
    String image = image(version);
    return (int)
        pods.stream()
            .filter(p -> !DaemonPods.isTerminating(p))
            .filter(p -> DaemonPods.isReady(p) && image.equals(TestFleet.image(p)))
            .count();
  }

  private static String image(int v) {
    return IMAGE + ":v2.5." + v;
  }

  // --- the table ---

  private static String table(long seed, List<Outcome> outcomes) {
    return FaultMatrixReport.table(
        "Fault matrix: "
            + NODES
            + " kwok nodes; NodeDaemon \"unavail\" maxUnavailable "
            + BUDGET
            + ", \"surge\" maxSurge "
            + BUDGET
            + " (maxUnavailable 0); pods ready "
            + READY_DELAY
            + " after start; seed "
            + seed,
        BUDGET,
        outcomes);
  }

  private static void write(String table) {
    Path file = LocalCluster.projectDir().resolve("target/fault-matrix.md");
    try {
      Files.writeString(file, table + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
