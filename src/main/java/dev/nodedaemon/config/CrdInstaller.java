package dev.nodedaemon.config;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Installs or updates the NodeDaemon CRD that the build generated from the Java model, and waits
 * until the API server serves it. Server-side apply with one field manager makes a rerun a no-op.
 */
public final class CrdInstaller {

  /** Where crd-generator-maven-plugin writes the CRD inside the jar. */
  public static final String CRD_RESOURCE = "/META-INF/fabric8/nodedaemons.nodedaemon.dev-v1.yml";

  private static final Logger LOG = Logger.getLogger(CrdInstaller.class);
  private static final String FIELD_MANAGER = "nodedaemon-operator";

  private final KubernetesClient client;

  public CrdInstaller(KubernetesClient client) {
    this.client = client;
  }

  /** The CRD exactly as generated at build time. */
  public static CustomResourceDefinition generatedCrd() {
    try (InputStream in = CrdInstaller.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the build did not package " + CRD_RESOURCE);
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void installAndWait(Duration timeout) {
    CustomResourceDefinition crd = generatedCrd();
    String name = crd.getMetadata().getName();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(crd)
        .fieldManager(FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(name)
        .waitUntilCondition(CrdInstaller::isEstablished, timeout.toMillis(), TimeUnit.MILLISECONDS);
    LOG.infof("CRD %s is installed and established", name);
  }

  private static boolean isEstablished(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
