package dev.nodedaemon.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.placement.NodeEligibility.Verdict;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The built-in controller's NodeShouldRunDaemonPod cases, as a table. */
class NodeEligibilityTest {

  static Stream<Arguments> cases() {
    PodSpec plain = new PodSpecBuilder().addNewContainer().withName("a").endContainer().build();
    PodSpec ssdOnly = new PodSpecBuilder(plain).withNodeSelector(Map.of("disktype", "ssd")).build();
    PodSpec toleratesGpu =
        new PodSpecBuilder(plain)
            .withTolerations(
                new TolerationBuilder()
                    .withKey("gpu")
                    .withOperator("Exists")
                    .withEffect("NoSchedule")
                    .build())
            .build();
    PodSpec affinityZoneA =
        new PodSpecBuilder(plain)
            .withNewAffinity()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey("zone")
            .withOperator("In")
            .withValues("a")
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .endAffinity()
            .build();
    PodSpec hostNetwork = new PodSpecBuilder(plain).withHostNetwork(true).build();
    return Stream.of(
        Arguments.of("plain node", node(Map.of()), plain, Verdict.RUN),
        Arguments.of("selector matches", node(Map.of("disktype", "ssd")), ssdOnly, Verdict.RUN),
        Arguments.of("selector misses", node(Map.of("disktype", "hdd")), ssdOnly, Verdict.NONE),
        Arguments.of("label missing", node(Map.of()), ssdOnly, Verdict.NONE),
        Arguments.of("affinity matches", node(Map.of("zone", "a")), affinityZoneA, Verdict.RUN),
        Arguments.of("affinity misses", node(Map.of("zone", "b")), affinityZoneA, Verdict.NONE),
        Arguments.of(
            "untolerated NoSchedule keeps a running pod only",
            node(Map.of(), taint("gpu", "NoSchedule")),
            plain,
            Verdict.KEEP_ONLY),
        Arguments.of(
            "tolerated NoSchedule",
            node(Map.of(), taint("gpu", "NoSchedule")),
            toleratesGpu,
            Verdict.RUN),
        Arguments.of(
            "untolerated NoExecute evicts",
            node(Map.of(), taint("dedicated", "NoExecute")),
            plain,
            Verdict.NONE),
        Arguments.of(
            "PreferNoSchedule ignored",
            node(Map.of(), taint("soft", "PreferNoSchedule")),
            plain,
            Verdict.RUN),
        Arguments.of(
            "cordoned node keeps its daemon (default toleration)",
            node(Map.of(), taint(DaemonTolerations.UNSCHEDULABLE, "NoSchedule")),
            plain,
            Verdict.RUN),
        Arguments.of(
            "not-ready node keeps its daemon (default toleration)",
            node(Map.of(), taint(DaemonTolerations.NOT_READY, "NoExecute")),
            plain,
            Verdict.RUN),
        Arguments.of(
            "memory pressure tolerated by default",
            node(Map.of(), taint(DaemonTolerations.MEMORY_PRESSURE, "NoSchedule")),
            plain,
            Verdict.RUN),
        Arguments.of(
            "network-unavailable blocks a pod network pod",
            node(Map.of(), taint(DaemonTolerations.NETWORK_UNAVAILABLE, "NoSchedule")),
            plain,
            Verdict.KEEP_ONLY),
        Arguments.of(
            "network-unavailable tolerated with hostNetwork",
            node(Map.of(), taint(DaemonTolerations.NETWORK_UNAVAILABLE, "NoSchedule")),
            hostNetwork,
            Verdict.RUN),
        Arguments.of(
            "template nodeName elsewhere",
            node(Map.of()),
            new PodSpecBuilder(plain).withNodeName("other").build(),
            Verdict.NONE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, Node node, PodSpec template, Verdict expected) {
    assertThat(NodeEligibility.decide(node, template)).isEqualTo(expected);
  }

  private static Node node(Map<String, String> labels, Taint... taints) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withTaints(List.of(taints))
        .endSpec()
        .build();
  }

  private static Taint taint(String key, String effect) {
    Taint taint = new Taint();
    taint.setKey(key);
    taint.setEffect(effect);
    return taint;
  }
}
