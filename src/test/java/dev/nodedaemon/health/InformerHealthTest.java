package dev.nodedaemon.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InformerHealthTest {

  private static final String PODS = "pods{labelSelector=nodedaemon.dev/daemon}";

  private final MovableClock clock = new MovableClock();
  private final InformerHealth health =
      new InformerHealth(clock, Duration.ofSeconds(30), Duration.ofMinutes(5));

  @Test
  void aFailingWatchIsStaleAfterTheFailingBoundAndPastLivenessAfterTheLongerOne() {
    health.watchRequested(PODS);
    health.heard(PODS);
    Instant firstFailure = clock.instant();
    health.failed(PODS, "HTTP 500");
    clock.advance(Duration.ofSeconds(29));
    health.failed(PODS, "HTTP 500");
    assertThat(health.stale()).as("failing for 29 s").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    health.watchRequested(PODS);
    health.failed(PODS, "HTTP 403");
    assertThat(health.stale())
        .singleElement()
        .satisfies(
            stale -> {
              assertThat(stale.informer()).isEqualTo(PODS);
              assertThat(stale.since()).isEqualTo(firstFailure);
              assertThat(stale.describe()).contains("HTTP 403").contains(firstFailure.toString());
              assertThat(stale.pastLiveness()).isFalse();
            });

    clock.advance(Duration.ofMinutes(4).plusSeconds(30));
    health.watchRequested(PODS);
    health.failed(PODS, "HTTP 403");
    assertThat(health.stale()).singleElement().matches(InformerHealth.Stale::pastLiveness);

    health.heard(PODS);
    assertThat(health.stale()).as("heard again").isEmpty();
  }

  @Test
  void listsOfPathsNoWatchUsesAreNotInformers() {
    health.requested("pods{labelSelector=other}");
    health.failed("pods{labelSelector=other}", "HTTP 500");
    clock.advance(Duration.ofMinutes(10));
    assertThat(health.stale()).isEmpty();
  }

  @Test
  void aWatchNobodyOpensAgainIsForgotten() {
    health.watchRequested(PODS);
    health.failed(PODS, "HTTP 500");
    clock.advance(Duration.ofSeconds(31));
    assertThat(health.stale()).hasSize(1);
    // No request for two minutes: fabric8 retries every 32 s at most, so this watch was closed on
    // purpose (a one-off wait), not left failing.
    clock.advance(Duration.ofSeconds(90));
    assertThat(health.stale()).isEmpty();
    health.failed(PODS, "HTTP 500");
    clock.advance(Duration.ofMinutes(1));
    assertThat(health.stale()).as("forgotten, its late failures too").isEmpty();
  }

  @Test
  void aFailingWatchThatKeepsRetryingIsNotForgotten() {
    health.watchRequested(PODS);
    health.failed(PODS, "HTTP 500");
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(32));
      health.watchRequested(PODS);
      health.failed(PODS, "HTTP 500");
    }
    assertThat(health.stale()).singleElement().matches(InformerHealth.Stale::pastLiveness);
  }

  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-11-30T12:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
