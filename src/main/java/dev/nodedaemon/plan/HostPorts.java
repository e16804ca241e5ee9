package dev.nodedaemon.plan;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;
import java.util.Optional;

/**
 * Whether a pod template claims ports on its node's network, which a second pod of the same
 * template on that node cannot also claim. Pure.
 *
 * <p>Why it matters: a surge update starts the new pod beside the old one on the same node. The
 * scheduler never places a pod whose host ports are taken, so with host ports every surge pod stays
 * Pending and the rollout deadlocks on every node. The API server cannot refuse the combination (a
 * rule over every container's ports is beyond the CRD's CEL cost budget), so the operator holds the
 * rollout and says why instead.
 */
public final class HostPorts {

  private HostPorts() {}

  /**
   * @return why a surge cannot work with this template, naming the first claimed port; empty when
   *     it claims none
   */
  public static Optional<String> surgeConflict(PodSpec spec) {
    if (spec == null || spec.getContainers() == null) {
      return Optional.empty();
    }
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    for (Container container : spec.getContainers()) {
      List<ContainerPort> ports = container.getPorts() == null ? List.of() : container.getPorts();
      for (ContainerPort port : ports) {
        Integer hostPort = port.getHostPort();
        if (hostPort != null && hostPort > 0) {
          return Optional.of(
              message("container " + container.getName() + " uses hostPort " + hostPort));
        }
        if (hostNetwork && port.getContainerPort() != null) {
          return Optional.of(
              message(
                  "container "
                      + container.getName()
                      + " uses port "
                      + port.getContainerPort()
                      + " on the host network"));
        }
      }
    }
    return Optional.empty();
  }

  private static String message(String claim) {
    return "maxSurge cannot be used with host ports ("
        + claim
        + "): the new pod could not run beside the old one on the same node; the update is held"
        + " until maxSurge is 0 (use maxUnavailable) or the port is removed";
  }
}
