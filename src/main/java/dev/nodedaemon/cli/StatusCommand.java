package dev.nodedaemon.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code status NAME}: like {@code kubectl rollout status}. Watches the NodeDaemon (an informer on
 * that one object, no polling) and prints a line whenever the rollout's state changes, until it is
 * Complete (exit 0) or Failed (exit 1), or {@code --timeout} passes (exit 3).
 */
@Command(
    name = "status",
    description = {
      "Show the rollout's progress and wait until it is complete.",
      "Exits 0 once complete, 1 if it failed, 3 on --timeout or, with --watch=false, when it is"
          + " not complete yet."
    })
final class StatusCommand extends NodeDaemonCommand {

  @Option(
      names = {"-w", "--watch"},
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      description = "Wait until the rollout is complete or failed (default true).")
  boolean watch;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "0",
      description = "Give up after this long, such as 90s or 5m; 0 waits forever (default).")
  String timeout;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "json or yaml: print one summary at the end instead of progress lines.")
  OutputFormat output;

  /** What {@code -o json|yaml} prints. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Summary(
      String name,
      String namespace,
      String result,
      String message,
      Long generation,
      NodeDaemonStatus status) {}

  /** --timeout, parsed. */
  private Duration limit;

  @Override
  void checkOptions() {
    try {
      limit = Output.duration(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), ExitCodes.USAGE);
    }
    if (output == OutputFormat.wide) {
      throw new CliException("status prints json or yaml, not wide", ExitCodes.USAGE);
    }
  }

  @Override
  int run(Cluster cluster, PrintWriter out) {
    NodeDaemon current = cluster.nodeDaemon(name);
    Progress progress = new Progress(out, output == null, output == null && watch && terminal());
    progress.readPrePullPods(nodeDaemon -> cluster.prePullPods(name));
    if (!watch) {
      RolloutState state = progress.show(current);
      return finish(out, cluster, current, state, exitCode(state));
    }
    return watchUntilDone(cluster, current, limit, progress, out);
  }

  private int watchUntilDone(
      Cluster cluster, NodeDaemon first, Duration limit, Progress progress, PrintWriter out) {
    BlockingQueue<Optional<NodeDaemon>> changes = new LinkedBlockingQueue<>();
    AtomicBoolean deleted = new AtomicBoolean();
    Instant deadline = limit.isZero() ? null : Instant.now().plus(limit);
    SharedIndexInformer<NodeDaemon> informer =
        cluster
            .resource(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(NodeDaemon nodeDaemon) {
                    changes.add(Optional.of(nodeDaemon));
                  }

                  @Override
                  public void onUpdate(NodeDaemon before, NodeDaemon after) {
                    changes.add(Optional.of(after));
                  }

                  @Override
                  public void onDelete(NodeDaemon nodeDaemon, boolean unknownFinalState) {
                    deleted.set(true);
                    changes.add(Optional.empty());
                  }
                });
    try {
      NodeDaemon latest = first;
      RolloutState state = progress.show(latest);
      while (!state.done()) {
        Optional<NodeDaemon> change;
        Instant now = Instant.now();
        // A soak's clock moves without any event: wake when its minute turns, to say so.
        Optional<Instant> tick =
            StepView.of(latest).flatMap(step -> step.nextChange(now)).filter(t -> t.isAfter(now));
        Instant wake = tick.filter(t -> deadline == null || t.isBefore(deadline)).orElse(deadline);
        try {
          if (wake == null) {
            change = changes.take();
          } else {
            long left = Duration.between(now, wake).toMillis();
            change = left <= 0 ? null : changes.poll(left, TimeUnit.MILLISECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliException("interrupted");
        }
        if (change == null && (deadline == null || Instant.now().isBefore(deadline))) {
          state = progress.show(latest);
          continue;
        }
        if (change == null) {
          state = RolloutState.of(latest);
          if (output != null) {
            return finish(out, cluster, latest, state, ExitCodes.NOT_COMPLETE);
          }
          throw new CliException(
              "timed out after "
                  + timeout
                  + " waiting for node daemon \""
                  + name
                  + "\": "
                  + state.message(),
              ExitCodes.NOT_COMPLETE);
        }
        if (change.isEmpty() || deleted.get()) {
          throw new CliException("node daemon \"" + name + "\" was deleted");
        }
        latest = change.get();
        state = progress.show(latest);
      }
      return finish(out, cluster, latest, state, exitCode(state));
    } finally {
      progress.endLine();
      informer.close();
    }
  }

  private int finish(
      PrintWriter out, Cluster cluster, NodeDaemon nodeDaemon, RolloutState state, int code) {
    if (output != null) {
      String result =
          code == ExitCodes.NOT_COMPLETE && state.result() == RolloutState.Result.WAITING
              ? "InProgress"
              : switch (state.result()) {
                case COMPLETE -> "Complete";
                case FAILED -> "Failed";
                case PAUSED -> "Paused";
                case WAITING -> "InProgress";
              };
      Output.machine(
          out,
          output,
          new Summary(
              name,
              cluster.namespace(),
              result,
              state.message(),
              nodeDaemon.getMetadata().getGeneration(),
              nodeDaemon.getStatus()));
    }
    return code;
  }

  private static int exitCode(RolloutState state) {
    return switch (state.result()) {
      case COMPLETE -> ExitCodes.OK;
      case FAILED -> ExitCodes.FAILED;
      case PAUSED, WAITING -> ExitCodes.NOT_COMPLETE;
    };
  }

  /**
   * True when standard output is a terminal that can redraw a line. On Java 22 and later a console
   * exists even when output is redirected, so it is asked; TERM=dumb turns the live line off.
   */
  static boolean terminal() {
    java.io.Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: a console is only there for a terminal
    }
  }

  /**
   * Prints each new state once: the message, phase changes, and the nodes that block it. Live (on a
   * terminal), a progress bar redrawn in place stands for the "Waiting for ..." lines; the other
   * lines are printed above it and stay.
   */
  static final class Progress {
    private static final String CLEAR_LINE = "\r\033[K";
    private final PrintWriter out;
    private final boolean enabled;
    private final boolean live;
    private boolean barShown;
    private String lastMessage;
    private String lastPhase;
    private List<String> lastBlocking = List.of();
    private List<String> lastGates = List.of();
    private String lastGroup;
    private String lastPrePull;
    private java.util.function.Function<NodeDaemon, List<io.fabric8.kubernetes.api.model.Pod>>
        prePullPods = nodeDaemon -> List.of();
    private final java.time.Clock clock;

    Progress(PrintWriter out, boolean enabled, boolean live) {
      this(out, enabled, live, java.time.Clock.systemUTC());
    }

    Progress(PrintWriter out, boolean enabled, boolean live, java.time.Clock clock) {
      this.out = out;
      this.enabled = enabled;
      this.live = live;
      this.clock = clock;
    }

    /** Where the pre-pull pods come from (the cluster, read at each change of the NodeDaemon). */
    void readPrePullPods(
        java.util.function.Function<NodeDaemon, List<io.fabric8.kubernetes.api.model.Pod>> reader) {
      this.prePullPods = reader;
    }

    private void line(String text) {
      if (barShown) {
        out.print(CLEAR_LINE);
        barShown = false;
      }
      out.println(text);
    }

    private void bar(NodeDaemon nodeDaemon, String phase) {
      NodeDaemonStatus status = nodeDaemon.getStatus();
      int updated = valueOr(status.getUpdatedNumberScheduled());
      int updatedAvailable = RolloutState.updatedAvailable(status);
      int target = RolloutState.target(status);
      out.print(
          CLEAR_LINE
              + ProgressBar.render(updatedAvailable, updated, target, ProgressBar.WIDTH)
              + (phase == null ? "" : "  " + phase));
      barShown = true;
    }

    /** Ends a bar left on screen (a timeout, a deleted NodeDaemon) so what follows starts clean. */
    void endLine() {
      if (barShown) {
        out.println();
        out.flush();
        barShown = false;
      }
    }

    private static int valueOr(Integer value) {
      return value == null ? 0 : value;
    }

    RolloutState show(NodeDaemon nodeDaemon) {
      RolloutState state = RolloutState.of(nodeDaemon, clock.instant());
      if (!enabled) {
        return state;
      }
      NodeDaemonStatus status = nodeDaemon.getStatus();
      String phase =
          status == null || status.getPhase() == null ? null : status.getPhase().toString();
      boolean observed =
          state.result() != RolloutState.Result.WAITING
              || !state.message().startsWith("Waiting for node daemon spec");
      if (observed
          && phase != null
          && !phase.equals(lastPhase)
          && state.result() != RolloutState.Result.COMPLETE) {
        line(
            "Phase "
                + phase
                + (status.getUpdateRevision() == null
                    ? ""
                    : " (update revision " + status.getUpdateRevision() + ")"));
        lastPhase = phase;
      }
      boolean onTheBar = live && observed && !state.done();
      if (!Objects.equals(state.message(), lastMessage)
          && !(onTheBar && state.result() == RolloutState.Result.WAITING)) {
        line(state.message());
      }
      lastMessage = state.message();
      List<String> blocking =
          observed
              ? RolloutState.blockingLines(status, state.result() == RolloutState.Result.FAILED)
              : List.of();
      // Reprinted when nodes or reasons change, or the rollout fails; not for a message that
      // only counts another restart.
      List<String> which = blocking.stream().map(line -> line.replaceFirst(" \\(.*", "")).toList();
      if (!blocking.isEmpty()
          && (!which.equals(lastBlocking) || state.result() == RolloutState.Result.FAILED)) {
        line("Blocked on " + blocking.size() + " node(s):");
        blocking.forEach(this::line);
      }
      lastBlocking = which;
      // The gates' verdict, whenever it names other nodes or reasons.
      List<String> gates = observed ? RolloutState.gateLines(status) : List.of();
      List<String> gateKeys = gates.stream().map(line -> line.replaceFirst(" \\(.*", "")).toList();
      if (!gates.isEmpty() && !gateKeys.equals(lastGates)) {
        gates.forEach(this::line);
      }
      lastGates = gateKeys;
      // The rollout order: once per group, with the domains' counts at that moment.
      List<String> order = observed ? OrderView.lines(status) : List.of();
      if (!order.isEmpty() && !order.get(0).equals(lastGroup)) {
        order.forEach(this::line);
        lastGroup = order.get(0);
      }
      // Image pre-pull: the nodes ahead of the front, whenever their states change. Read at each
      // change of the NodeDaemon, so a pull that ends without one shows with the next change.
      if (observed
          && status != null
          && state.result() != RolloutState.Result.COMPLETE
          && PrePullView.on(nodeDaemon)) {
        String prePull =
            PrePullView.line(
                PrePullView.of(prePullPods.apply(nodeDaemon), status.getUpdateRevision()));
        if (!prePull.equals(lastPrePull) && !(lastPrePull == null && prePull.endsWith(": none"))) {
          line(prePull);
        }
        lastPrePull = prePull;
      }
      if (onTheBar) {
        bar(nodeDaemon, phase);
      }
      out.flush();
      return state;
    }
  }
}
