package dev.nodedaemon.testing;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a Deployment's first container gets, as the kubelet would give it to pod {@code
 * podName}: for running the chart's operator outside a pod (a process or a podman container) with
 * exactly the chart's settings.
 */
public final class DeploymentEnvironment {

  private DeploymentEnvironment() {}

  /** Plain values as written; the downward API's namespace and pod name resolved. */
  public static Map<String, String> of(Deployment deployment, String podName) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), var.getValue());
        continue;
      }
      String field = var.getValueFrom().getFieldRef().getFieldPath();
      env.put(
          var.getName(),
          switch (field) {
            case "metadata.namespace" -> deployment.getMetadata().getNamespace();
            case "metadata.name" -> podName;
            default -> throw new IllegalStateException("unexpected fieldRef " + field);
          });
    }
    return env;
  }
}
