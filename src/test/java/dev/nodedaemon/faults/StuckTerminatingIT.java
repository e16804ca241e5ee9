package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.AuditLog;
import dev.nodedaemon.testing.SharedCluster;
import dev.nodedaemon.testing.SharedOperator;
import dev.nodedaemon.testing.TestFleet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No tight loops: a pod stuck terminating (a finalizer held for 20 s) under the name its
 * replacement would get is waited for, not hammered with creates the API server can only refuse as
 * "already exists". Counted in the API server's audit log.
 */
class StuckTerminatingIT {

  private static final String HOLD = "nodedaemon.dev/test-hold";
  private static final Duration HELD_FOR = Duration.ofSeconds(20);

  @Test
  void aReplacementWaitsForThePodHoldingItsNameInsteadOfRetryingTheCreate() throws Exception {
    SharedOperator.get();
    TestFleet fleet = new TestFleet("stuck");
    List<String> nodes = fleet.addNodes("n", 1);
    fleet.create(fleet.logAgent("agent"));
    Pod pod = fleet.awaitReadyOnExactly("agent", nodes).getFirst();
    String name = pod.getMetadata().getName();

    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withName(name)
        .edit(
            p -> {
              List<String> finalizers = new ArrayList<>(p.getMetadata().getFinalizers());
              finalizers.add(HOLD);
              p.getMetadata().setFinalizers(finalizers);
              return p;
            });
    Instant deleted = Instant.now();
    fleet.client().pods().inNamespace(fleet.namespace()).withName(name).delete();
    Thread.sleep(HELD_FOR.toMillis()); // the length of the fault itself, not a wait for anything
    fleet
        .client()
        .pods()
        .inNamespace(fleet.namespace())
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\": \"remove\", \"path\": \"/metadata/finalizers\"}]");
    List<Pod> after = fleet.awaitReadyOnExactly("agent", nodes);

    // The replacement has the same name (same node, same revision), and is a new pod.
    assertThat(after.getFirst().getMetadata().getName()).isEqualTo(name);
    assertThat(after.getFirst().getMetadata().getUid()).isNotEqualTo(pod.getMetadata().getUid());
    List<AuditLog.Call> creates =
        SharedCluster.get()
            .auditLog()
            .calls(
                c ->
                    c.verb().equals("create")
                        && c.resource().equals("pods")
                        && c.subresource().isEmpty()
                        && c.namespace().equals(fleet.namespace())
                        && c.at().isAfter(deleted));
    System.out.println(
        "pod creates while the old pod was held "
            + HELD_FOR
            + ": "
            + creates.stream().map(c -> c.code()).toList());
    assertThat(creates)
        .as("pod creates after the delete (codes %s)", creates.stream().map(c -> c.code()).toList())
        .hasSizeLessThanOrEqualTo(2);
  }
}
