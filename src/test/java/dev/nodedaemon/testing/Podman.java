package dev.nodedaemon.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * podman through {@code hack/image podman}, with the project's containers.conf (runc, and ulimits
 * the host allows; crun cannot start containers on these machines).
 */
public final class Podman {

  private Podman() {}

  public static String run(String... args) {
    return Commands.run(Duration.ofMinutes(5), command(args));
  }

  public static Commands.Result tryRun(String... args) {
    return Commands.tryRun(Duration.ofMinutes(5), command(args), null);
  }

  private static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(LocalCluster.projectDir().resolve("hack/image").toString());
    command.add("podman");
    command.addAll(List.of(args));
    return command;
  }
}
