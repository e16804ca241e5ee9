package dev.nodedaemon.operator;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonSpec;
import dev.nodedaemon.api.PodSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.Map;

/** NodeDaemons for tests, in the shape of the seeds' fluentd-elasticsearch DaemonSet. */
final class Samples {

  private Samples() {}

  static NodeDaemon logAgent(String namespace, String name) {
    NodeDaemon nd = new NodeDaemon();
    nd.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    NodeDaemonSpec spec = new NodeDaemonSpec();
    spec.setSelector(new PodSelector(Map.of("name", name)));
    spec.setTemplate(
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Map.of("name", name))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("fluentd-elasticsearch")
            .withImage("quay.io/fluentd_elasticsearch/fluentd:v2.5.2")
            .endContainer()
            .endSpec()
            .build());
    nd.setSpec(spec);
    return nd;
  }
}
