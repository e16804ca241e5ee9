package dev.nodedaemon.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a deadline, keeping its output for the assertion message. */
public final class Commands {

  private Commands() {}

  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  public static String run(Duration timeout, List<String> command) {
    Result result = tryRun(timeout, command, null);
    if (!result.ok()) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " exited "
              + result.exitCode()
              + "\nstdout:\n"
              + result.stdout()
              + "\nstderr:\n"
              + result.stderr());
    }
    return result.stdout();
  }

  public static Result tryRun(Duration timeout, List<String> command, String stdin) {
    return tryRun(timeout, command, stdin, java.util.Map.of());
  }

  /** As {@link #tryRun(Duration, List, String)} with {@code env} added to the environment. */
  public static Result tryRun(
      Duration timeout, List<String> command, String stdin, java.util.Map<String, String> env) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(env);
      Process process = builder.start();
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Each stream gets its own thread: on the common pool (one worker on two cores) one drain could
   * wait behind the other while the child blocks on a full pipe.
   */
  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        runnable -> Thread.ofVirtual().start(runnable));
  }
}
