package dev.nodedaemon.cli;

import dev.nodedaemon.api.NodeDaemon;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code set image}: the kubectl set family; image is its one member. */
@Command(
    name = "set",
    description = "Change the NodeDaemon's pod template.",
    subcommands = SetCommand.Image.class)
final class SetCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to set: kubectl nodedaemon set image NAME CONTAINER=IMAGE");
  }

  /**
   * {@code set image NAME CONTAINER=IMAGE...}: like {@code kubectl set image}; {@code *} names
   * every container. Init containers count. A name that matches no container is an error, and
   * nothing is changed.
   */
  @Command(
      name = "image",
      description = {
        "Set container images: kubectl nodedaemon set image NAME CONTAINER=IMAGE ...",
        "CONTAINER may be * for every container."
      })
  static final class Image implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ChangeCause changeCause;

    @Parameters(index = "0", paramLabel = "NAME", description = "The NodeDaemon.")
    String name;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "CONTAINER=IMAGE",
        description = "Container name and its new image.")
    List<String> assignments;

    @Override
    public Integer call() {
      Map<String, String> wanted = parse(assignments);
      KubeOptions kube = KubeOptions.of(spec);
      kube.refuseAllNamespaces();
      try (Cluster cluster = kube.connect()) {
        return cluster.explaining(() -> set(cluster, wanted));
      }
    }

    private int set(Cluster cluster, Map<String, String> wanted) {
      NodeDaemon nodeDaemon = cluster.nodeDaemon(name);
      PodSpec pod = nodeDaemon.getSpec().getTemplate().getSpec();
      Map<String, String[]> changes = changes(pod, wanted);
      if (changes.isEmpty()) {
        spec.commandLine()
            .getOut()
            .println(Cluster.displayName(name) + " unchanged (images already set)");
        return ExitCodes.OK;
      }
      // fabric8 reads absent annotations as an empty map; an empty map is replaced whole.
      boolean annotationsExist =
          nodeDaemon.getMetadata().getAnnotations() != null
              && !nodeDaemon.getMetadata().getAnnotations().isEmpty();
      String cause =
          changeCause.orDefault("set image " + name + " " + String.join(" ", assignments));
      cluster.jsonPatch(name, Patches.setImages(changes, cause, annotationsExist));
      spec.commandLine().getOut().println(Cluster.displayName(name) + " image updated");
      return ExitCodes.OK;
    }

    static Map<String, String> parse(List<String> assignments) {
      Map<String, String> wanted = new LinkedHashMap<>();
      for (String assignment : assignments) {
        int eq = assignment.indexOf('=');
        if (eq <= 0 || eq == assignment.length() - 1) {
          throw new CliException(
              "expected CONTAINER=IMAGE, got \"" + assignment + "\"", ExitCodes.USAGE);
        }
        wanted.put(assignment.substring(0, eq), assignment.substring(eq + 1));
      }
      return wanted;
    }

    /**
     * Container path ({@code containers/0}) to [name, new image] for each container whose image
     * changes; fails naming any container that does not exist.
     */
    static Map<String, String[]> changes(PodSpec pod, Map<String, String> wanted) {
      Map<String, String[]> changes = new LinkedHashMap<>();
      List<String> unknown = new ArrayList<>(wanted.keySet());
      unknown.remove("*");
      collect("containers", pod.getContainers(), wanted, changes, unknown);
      collect("initContainers", pod.getInitContainers(), wanted, changes, unknown);
      if (!unknown.isEmpty()) {
        List<String> names = new ArrayList<>();
        pod.getContainers().forEach(c -> names.add(c.getName()));
        if (pod.getInitContainers() != null) {
          pod.getInitContainers().forEach(c -> names.add(c.getName()));
        }
        throw new CliException(
            "unable to find container"
                + (unknown.size() == 1 ? " named " : "s named ")
                + String.join(", ", unknown.stream().map(u -> "\"" + u + "\"").toList())
                + "; the template has: "
                + String.join(", ", names));
      }
      return changes;
    }

    private static void collect(
        String field,
        List<Container> containers,
        Map<String, String> wanted,
        Map<String, String[]> changes,
        List<String> unknown) {
      if (containers == null) {
        return;
      }
      for (int i = 0; i < containers.size(); i++) {
        Container container = containers.get(i);
        String image = wanted.getOrDefault(container.getName(), wanted.get("*"));
        unknown.remove(container.getName());
        if (image != null && !image.equals(container.getImage())) {
          changes.put(field + "/" + i, new String[] {container.getName(), image});
        }
      }
    }
  }
}
