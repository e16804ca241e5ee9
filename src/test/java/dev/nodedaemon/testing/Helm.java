package dev.nodedaemon.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The helm CLI that {@code hack/helm} builds, run on the project's chart. */
public final class Helm {

  public static final Path CHART = LocalCluster.projectDir().resolve("helm/nodedaemon");

  private final Path kubeconfig;

  private Helm(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  /** For commands that need no cluster (lint, template). */
  public static Helm offline() {
    return new Helm(null);
  }

  /** For install, upgrade, uninstall, ... against {@code cluster}. */
  public static Helm on(LocalCluster cluster) {
    return new Helm(cluster.kubeconfig());
  }

  public Commands.Result tryRun(String... args) {
    List<String> command = new ArrayList<>();
    command.add(LocalCluster.projectDir().resolve("hack/helm").toString());
    if (kubeconfig != null) {
      command.add("--kubeconfig=" + kubeconfig);
    }
    command.addAll(List.of(args));
    return Commands.tryRun(Duration.ofMinutes(10), command, null);
  }

  public String run(String... args) {
    Commands.Result result = tryRun(args);
    if (!result.ok()) {
      throw new IllegalStateException(
          "helm "
              + String.join(" ", args)
              + " exited "
              + result.exitCode()
              + "\n"
              + result.stdout()
              + result.stderr());
    }
    return result.stdout();
  }

  /** {@code helm template} of {@code chart} with {@code args} (--set ...), parsed into objects. */
  public List<HasMetadata> template(Path chart, String... args) {
    List<String> command = new ArrayList<>(List.of("template", "nd", chart.toString()));
    command.addAll(List.of(args));
    return parse(run(command.toArray(String[]::new)));
  }

  /** The objects of a multi-document YAML stream, typed where fabric8 knows the kind. */
  public static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(line -> !line.isBlank() && !line.startsWith("#"))) {
        objects.add((HasMetadata) Serialization.unmarshal(document));
      }
    }
    return objects;
  }
}
