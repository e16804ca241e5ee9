package dev.nodedaemon.bench;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.apply.DaemonPodFactory;
import dev.nodedaemon.observe.ClusterSnapshot;
import dev.nodedaemon.plan.PlanInput;
import dev.nodedaemon.plan.PodPlan;
import dev.nodedaemon.plan.PodPlanner;
import dev.nodedaemon.plan.PodPlannerTest;
import dev.nodedaemon.plan.RolloutAssessor;
import dev.nodedaemon.status.StatusBuilder;
import dev.nodedaemon.testing.PlanInputs;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long one reconcile's pure part (snapshot, plan, status) takes for a fleet of N nodes that all
 * run their pod: the cost every pod or node event pays. Prints the median of repeated runs for
 * 1,000, 2,500 and 5,000 nodes, so linear and quadratic growth are told apart at a glance, as wall
 * time and as the benchmark thread's CPU time (steadier on a shared machine).
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.nodedaemon.bench.PlannerScaleBenchmark}
 */
public final class PlannerScaleBenchmark {

  private PlannerScaleBenchmark() {}

  public static void main(String[] args) {
    NodeDaemon nd = PodPlannerTest.logAgent();
    String revision = "rev1";
    // Thread CPU time beside wall time: on a machine shared with other jobs the wall time
    // measures the neighbours as much as the planner. The first size warms the JIT up longer.
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    int warmUp = 200;
    for (int nodes : new int[] {1_000, 2_500, 5_000}) {
      List<Node> fleet = new ArrayList<>();
      List<Pod> pods = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        String name = "node-" + i;
        NodeBuilder node =
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(Map.of("topology.kubernetes.io/zone", "zone-" + i % 3))
                .endMetadata()
                .withNewSpec()
                .endSpec();
        if (i % 10 == 0) {
          node.editSpec()
              .withTaints(
                  new TaintBuilder()
                      .withKey("node.kubernetes.io/unschedulable")
                      .withEffect("NoSchedule")
                      .build())
              .endSpec();
        }
        fleet.add(node.build());
        Pod pod = DaemonPodFactory.build(nd, name, revision);
        pod.getMetadata().setUid("uid-" + i);
        pod.getMetadata().setCreationTimestamp("2026-11-23T10:00:00Z");
        pod.getSpec().setNodeName(name);
        pod.setStatus(
            new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .withLastTransitionTime("2026-11-23T10:00:00Z")
                .endCondition()
                .build());
        pods.add(pod);
      }
      long[] micros = new long[30];
      long[] cpuMicros = new long[micros.length];
      PodPlan plan = null;
      for (int run = -warmUp; run < micros.length; run++) {
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        ClusterSnapshot snapshot = ClusterSnapshot.of(fleet, pods);
        PlanInput input =
            PlanInputs.of(nd, revision, snapshot, Instant.parse("2026-11-23T10:05:00Z")).build();
        plan = PodPlanner.plan(input);
        RolloutAssessor.Assessment rollout =
            RolloutAssessor.assess(input, plan.rollout(), Optional.empty());
        StatusBuilder.build(input, plan, rollout, Optional.empty(), List.of(), 0);
        if (run >= 0) {
          micros[run] = (System.nanoTime() - start) / 1_000;
          cpuMicros[run] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000;
        }
      }
      Arrays.sort(micros);
      Arrays.sort(cpuMicros);
      warmUp = 20;
      System.out.printf(
          "nodes=%d pods=%d: snapshot+plan+status median %.1f ms (min %.1f, max %.1f), thread CPU"
              + " median %.1f ms (min %.1f), creates=%d deletes=%d%n",
          nodes,
          pods.size(),
          micros[micros.length / 2] / 1000.0,
          micros[0] / 1000.0,
          micros[micros.length - 1] / 1000.0,
          cpuMicros[cpuMicros.length / 2] / 1000.0,
          cpuMicros[0] / 1000.0,
          plan.creates().size(),
          plan.deletes().size());
    }
  }
}
