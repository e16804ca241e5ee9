package dev.nodedaemon.testing;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The NodeDaemon resource named in full, for tests that handle it as a generic resource (to see
 * what the CRD's schema keeps): API discovery's cache may not list a CRD installed a moment ago
 * ("Could not find the metadata for the given apiVersion and kind", seen in a CI rehearsal).
 */
public final class NodeDaemonResource {

  public static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("nodedaemon.dev")
          .withVersion("v1alpha1")
          .withKind("NodeDaemon")
          .withPlural("nodedaemons")
          .withNamespaced(true)
          .build();

  private NodeDaemonResource() {}
}
