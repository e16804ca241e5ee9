package dev.nodedaemon.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.testing.FaultProxy;
import dev.nodedaemon.testing.FaultProxy.Rule;
import dev.nodedaemon.testing.OperatorProcess;
import dev.nodedaemon.testing.OperatorProcess.HttpResult;
import dev.nodedaemon.testing.ProxiedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator whose informers stopped hearing from the API server says so in its health: the fault
 * proxy answers every pod list and watch with 500 (an API server in trouble), then with 403 (the
 * operator's RBAC removed). fabric8 retries such a watch inside its watch manager while the
 * informer still reports itself watching, so before the operator's own staleness signal readiness
 * and liveness stayed UP through a minute of it. With short bounds (5 s failing, 15 s for
 * liveness): readiness goes DOWN naming the pod informer, liveness follows, and both come back once
 * the API server answers again.
 */
class StaleInformerHealthIT {

  private static final String POD_INFORMER = "pods{labelSelector=";

  private final ProxiedCluster faulty = ProxiedCluster.get();
  private final FaultProxy proxy = faulty.proxy();
  private OperatorProcess operator;

  @BeforeEach
  void operatorWithShortBounds() {
    operator =
        faulty.replaceOperator(
            Map.of(
                "nodedaemon.informer-health.failing-after", "5s",
                "nodedaemon.informer-health.liveness-after", "15s",
                // fabric8's watch retries back off to 32 x this: recover within seconds here.
                "quarkus.kubernetes-client.watch-reconnect-interval", "PT0.5S"));
  }

  @AfterEach
  void restore() {
    proxy.clearRules();
    faulty.stopOperator(); // the next test gets an operator with the default bounds
  }

  @Test
  void podListAndWatchAnswered500ThenForbiddenTakeHealthDownNamingTheInformerUntilRestored() {
    assertThat(operator.get("/q/health/live").status()).isEqualTo(200);

    Instant start = Instant.now();
    proxy.setRules(Rule.errors("list,watch", "pods", 500, 1.0));
    HttpResult notReady = awaitHealth("/q/health/ready", down("HTTP 500"));
    Duration toNotReady = Duration.between(start, Instant.now());
    HttpResult notLive = awaitHealth("/q/health/live", down("HTTP 500"));
    Duration toNotLive = Duration.between(start, Instant.now());
    assertThat(proxy.ruleCounter("errors")).as("pod lists and watches refused").isPositive();

    proxy.clearRules();
    awaitHealth("/q/health/ready", r -> r.status() == 200);
    awaitHealth("/q/health/live", r -> r.status() == 200);
    Duration toRecovered = Duration.between(start, Instant.now());
    System.out.printf(
        "500: readiness DOWN after %d ms, liveness DOWN after %d ms, both UP again at %d ms%n%s%n",
        toNotReady.toMillis(), toNotLive.toMillis(), toRecovered.toMillis(), notLive.body());
    assertThat(notReady.body()).contains("\"informers\"");

    proxy.setRules(Rule.errors("list,watch", "pods", 403, 1.0));
    HttpResult forbidden = awaitHealth("/q/health/ready", down("HTTP 403"));
    assertThat(operator.get("/q/health/live").status())
        .as("liveness rides out a short outage" + forbidden.body())
        .isEqualTo(200);
    proxy.clearRules();
    awaitHealth("/q/health/ready", r -> r.status() == 200);

    assertThat(operator.logText())
        .contains("informer " + POD_INFORMER)
        .contains("is stale: list/watch failing (HTTP 500)")
        .contains("liveness is DOWN")
        .contains("hears the API server again");
  }

  /** DOWN, naming the daemon pods' informer and the failure. */
  private static Predicate<HttpResult> down(String failure) {
    return r -> r.status() == 503 && r.body().contains(POD_INFORMER) && r.body().contains(failure);
  }

  private HttpResult awaitHealth(String path, Predicate<HttpResult> condition) {
    HttpResult[] last = new HttpResult[1];
    try {
      Awaitility.await(path)
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                last[0] = operator.get(path);
                return condition.test(last[0]);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(path + " answered last " + last[0] + operator.logTail(), e);
    }
    return last[0];
  }
}
