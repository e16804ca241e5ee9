package dev.nodedaemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StoppingJdkHttpClientFactoryTest {

  /** The JDK HTTP clients' selector threads alive now. */
  private static Set<Thread> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager"))
        .collect(Collectors.toSet());
  }

  @Test
  void aClosedClientLeavesNoSelectorThreadInNativeCodeToHoldUpTheJvmsExit() throws Exception {
    Set<Thread> before = selectorThreads();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
            .withHttpClientFactory(new StoppingJdkHttpClientFactory())
            .build();
    Set<Thread> ours = selectorThreads();
    ours.removeAll(before);
    assertThat(ours).as("the client's selector thread").isNotEmpty();

    client.close();

    for (Thread selector : ours) {
      selector.join(TimeUnit.SECONDS.toMillis(5));
      assertThat(selector.isAlive()).as(selector.getName() + " still alive after close").isFalse();
    }
  }
}
