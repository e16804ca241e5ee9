package dev.nodedaemon.lease;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Halts a leader that was frozen (SIGSTOP, a long GC pause, a stalled VM) for so long that a
 * standby may have taken its Lease, before it writes anything on what it knew before the freeze.
 *
 * <p>Found by LeaderElectionIT: a leader paused past its Lease and resumed deleted a pod 2 s after
 * the standby had taken over, and halted only 12 s later, when its elector noticed. On resume every
 * thread runs at once, so the elector's own check races the reconciles. Here a ticker notes the
 * monotonic clock every 100 ms, and each write (pods, status, events, revisions, the rollback's
 * template) first checks the last tick: a gap longer than the threshold means the whole process
 * stood still, and the process halts (status 1, as on a lost Lease) whichever thread sees it first.
 * The threshold is the time in which no standby can have taken over (the lease duration less a
 * retry period, less a second of margin), so a process that was only slowed down does not halt.
 *
 * <p>Armed only with leader election; a single process has nobody to race.
 */
public final class PauseFence {

  private static final Logger LOG = Logger.getLogger(PauseFence.class);
  private static final long TICK_NANOS = Duration.ofMillis(100).toNanos();

  private static volatile long thresholdNanos;
  private static volatile long lastTick = System.nanoTime();

  private PauseFence() {}

  /** Starts the ticker; writes halt the process after a freeze longer than {@code threshold}. */
  public static synchronized void arm(Duration threshold) {
    if (thresholdNanos > 0) {
      return;
    }
    lastTick = System.nanoTime();
    thresholdNanos = threshold.toNanos();
    Thread.ofPlatform()
        .daemon()
        .name("pause-fence")
        .start(
            () -> {
              while (true) {
                check();
                lastTick = System.nanoTime();
                LockSupport.parkNanos(TICK_NANOS);
              }
            });
    LOG.infof("pause fence armed: a freeze longer than %s halts the process", threshold);
  }

  /** Called before every write: halts the process if it has just woken from a long freeze. */
  public static void check() {
    long threshold = thresholdNanos;
    if (threshold == 0) {
      return;
    }
    long frozen = System.nanoTime() - lastTick;
    if (frozen > threshold) {
      LOG.errorf(
          "the process stood still for %d ms (more than %d ms): a standby may hold the Lease now;"
              + " halting with status 1 before any write",
          frozen / 1_000_000, threshold / 1_000_000);
      Runtime.getRuntime().halt(1);
    }
  }
}
