package dev.nodedaemon.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * The training run of the distribution build: runs the plugin's usual calls once in one JVM so the
 * build can record which classes they load and link into an ahead-of-time cache ({@code
 * -XX:AOTCacheOutput}, JDK 25), which later calls map instead of loading each class from its jar.
 *
 * <p>The calls are the ones users make most: {@code --help}, {@code version}, {@code completion},
 * {@code get NAME}, {@code get}, {@code status NAME --watch=false} and {@code history NAME}. The
 * build has no cluster: the reads go over HTTPS with a client certificate to a small server the
 * build runs in its own JVM (dev.nodedaemon.build.TrainingServer), so that this JVM loads only what
 * a user's call loads; the client, the TLS handshake, the JSON mapping and the rendering run as
 * against a real API server. Nothing here is used by a user's call.
 */
final class Training {

  private Training() {}

  /** {@code Training KUBECONFIG NAME}: exits 0 when every call ran. */
  public static void main(String[] args) {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: Training KUBECONFIG NAME");
    }
    Main.quietLogging(); // as every call does first
    String config = "--kubeconfig=" + args[0];
    String name = args[1];
    int failures = 0;
    for (List<String> call :
        List.of(
            List.of("--help"),
            List.of("--version"),
            List.of("version"),
            List.of("get", "--help"),
            List.of("completion", "bash"),
            List.of(config, "get", name),
            List.of(config, "-n", "default", "get"),
            List.of(config, "status", name, "--watch=false"),
            List.of(config, "history", name),
            List.of(config, "nodes", name))) {
      CommandLine commandLine = Main.commandLine();
      PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
      commandLine.setOut(sink);
      commandLine.setErr(sink);
      int code = commandLine.execute(call.toArray(String[]::new));
      // status exits 3 on a rollout that has not finished, which the sample's has not.
      if (code != ExitCodes.OK && code != ExitCodes.NOT_COMPLETE) {
        System.err.println("training call " + call + " exited " + code);
        failures++;
      }
    }
    // What kubectl's and the shells' completion call (__complete) runs.
    CompletionCommand.complete(List.of("st"), new PrintWriter(OutputStream.nullOutputStream()));
    System.exit(failures > 0 ? 1 : 0);
  }
}
