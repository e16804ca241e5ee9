package dev.nodedaemon.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import org.junit.jupiter.api.Test;

class HostPortsTest {

  @Test
  void aHostPortConflictsWithASurgePod() {
    PodSpec spec =
        new PodSpecBuilder()
            .withContainers(
                new ContainerBuilder().withName("sidecar").build(),
                new ContainerBuilder()
                    .withName("dns")
                    .addNewPort()
                    .withContainerPort(53)
                    .withHostPort(53)
                    .endPort()
                    .build())
            .build();
    assertThat(HostPorts.surgeConflict(spec))
        .hasValueSatisfying(m -> assertThat(m).contains("container dns uses hostPort 53"));
  }

  @Test
  void onTheHostNetworkEveryContainerPortIsAHostPort() {
    PodSpec spec =
        new PodSpecBuilder()
            .withHostNetwork(true)
            .withContainers(
                new ContainerBuilder()
                    .withName("exporter")
                    .addNewPort()
                    .withContainerPort(9100)
                    .endPort()
                    .build())
            .build();
    assertThat(HostPorts.surgeConflict(spec))
        .hasValueSatisfying(
            m -> assertThat(m).contains("container exporter uses port 9100 on the host network"));
  }

  @Test
  void podNetworkPortsAndHostNetworkWithoutPortsDoNot() {
    PodSpec podNetwork =
        new PodSpecBuilder()
            .withContainers(
                new ContainerBuilder()
                    .withName("agent")
                    .addNewPort()
                    .withContainerPort(8080)
                    .endPort()
                    .build())
            .build();
    PodSpec hostNetworkNoPorts =
        new PodSpecBuilder()
            .withHostNetwork(true)
            .withContainers(new ContainerBuilder().withName("agent").build())
            .build();
    assertThat(HostPorts.surgeConflict(podNetwork)).isEmpty();
    assertThat(HostPorts.surgeConflict(hostNetworkNoPorts)).isEmpty();
    assertThat(HostPorts.surgeConflict(null)).isEmpty();
  }
}
