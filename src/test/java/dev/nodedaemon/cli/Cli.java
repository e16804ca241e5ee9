package dev.nodedaemon.cli;

import dev.nodedaemon.testing.TestFleet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import picocli.CommandLine;

/**
 * Runs the plugin in-process against a test's fleet, as {@code kubectl nodedaemon ARGS --kubeconfig
 * <cluster> -n <namespace>} would: the real command line and its error handling, with stdout and
 * stderr captured.
 */
record Cli(int exitCode, String out, String err) {

  static Cli run(TestFleet fleet, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + fleet.cluster().kubeconfig());
    all.add("--namespace=" + fleet.namespace());
    return exec(all.toArray(String[]::new));
  }

  /** Exactly these arguments: the caller places every flag. */
  static Cli exec(String... args) {
    CommandLine commandLine = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    commandLine.getOut().flush();
    commandLine.getErr().flush();
    return new Cli(code, out.toString(), err.toString());
  }

  /**
   * Starts a command that runs until stopped ({@code get --watch}), with its output observable as
   * it is written.
   */
  static Running start(String... args) {
    Running running = new Running();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(running.out, true));
    commandLine.setErr(new PrintWriter(running.err, true));
    running.exit = running.executor.submit(() -> commandLine.execute(args));
    return running;
  }

  /** A command running on its own thread; {@link #awaitOut} waits for what it prints. */
  static final class Running implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final SignallingWriter out = new SignallingWriter();
    private final SignallingWriter err = new SignallingWriter();
    private Future<Integer> exit;

    /** Waits (on the writer's monitor, woken by every write) until stdout satisfies the test. */
    String awaitOut(Predicate<String> test, Duration timeout) {
      return out.await(test, timeout, () -> "stderr: " + err.text());
    }

    String out() {
      return out.text();
    }

    /** Interrupts the command, as Ctrl-C would end it, and returns its exit code. */
    int stop() throws Exception {
      exit.cancel(true);
      executor.shutdown();
      if (!executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new AssertionError("the command did not stop when interrupted");
      }
      return exit.isCancelled() ? -1 : exit.get();
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }

  /** A writer whose text can be awaited: every write wakes the waiters. */
  static final class SignallingWriter extends Writer {
    private final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
      text.append(buffer, offset, length);
      notifyAll();
    }

    synchronized String text() {
      return text.toString();
    }

    synchronized String await(
        Predicate<String> test, Duration timeout, java.util.function.Supplier<String> context) {
      Instant deadline = Instant.now().plus(timeout);
      while (!test.test(text.toString())) {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          throw new AssertionError(
              "output did not reach the condition within "
                  + timeout
                  + "; it is:\n"
                  + text
                  + "\n"
                  + context.get());
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
      return text.toString();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
