package dev.nodedaemon.olm;

import dev.nodedaemon.api.NodeDaemon;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Annotations;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Icon;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.InstallMode;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Link;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Maintainer;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.PermissionRule;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Provider;
import io.quarkiverse.operatorsdk.annotations.SharedCSVMetadata;

/**
 * The OLM ClusterServiceVersion's metadata, read at build time by quarkus-operator-sdk's bundle
 * generator (the reconciler joins this bundle because the bundle is named after the application).
 *
 * <p>What the CSV says elsewhere comes from other places: channels, version and the sample
 * (alm-examples) from {@code application.properties}; the CRD is the one {@code CrdWriter}
 * generates, given to the generator as an external CRD; the install strategy's Deployment and RBAC
 * from quarkus-kubernetes; the icon from {@code src/main/kubernetes}.
 *
 * <p>Install modes: the operator watches all namespaces or the ones OLM's OperatorGroup targets
 * (the generator maps {@code olm.targetNamespaces} onto the controller's namespaces); it always
 * needs cluster-wide read access to nodes.
 */
@CSVMetadata(
    bundleName = NodeDaemonBundle.NAME,
    displayName = "NodeDaemon",
    description =
        """
        NodeDaemon runs one daemon pod on every eligible node, like the built-in DaemonSet, \
        for node agents such as log shippers, monitoring agents, CNI and CSI drivers and \
        node-local caches. A DaemonSet manifest becomes a NodeDaemon by changing its apiVersion \
        and kind. Rollouts are safer: maxUnavailable and maxSurge budgets, minReadySeconds, \
        pause, partitions, update node selectors and a ControllerRevision history.
        """,
    keywords = {"daemonset", "node agent", "rollout", "daemon", "nodes"},
    maturity = "alpha",
    minKubeVersion = "1.30.0",
    provider = @Provider(name = "NodeDaemon project", url = "https://nodedaemon.dev"),
    maintainers =
        @Maintainer(name = "NodeDaemon maintainers", email = "maintainers@nodedaemon.dev"),
    links = {
      @Link(name = "Website", url = "https://nodedaemon.dev"),
      @Link(name = "Documentation", url = "https://nodedaemon.dev/docs")
    },
    icon = @Icon(fileName = "nodedaemon-operator.icon.svg", mediatype = "image/svg+xml"),
    annotations =
        @Annotations(
            capabilities = "Basic Install",
            categories = "Application Runtime",
            containerImage = "quay.io/nodedaemon/nodedaemon-operator:0.1.0",
            repository = "https://github.com/nodedaemon/nodedaemon"),
    installModes = {
      @InstallMode(type = "AllNamespaces"),
      @InstallMode(type = "OwnNamespace"),
      @InstallMode(type = "SingleNamespace"),
      @InstallMode(type = "MultiNamespace")
    },
    // Namespaced rules: OLM grants them in the watched namespaces (cluster-wide for
    // AllNamespaces). Nodes (list, watch) and leases come from quarkus-kubernetes' RBAC
    // (application.properties).
    permissionRules = {
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = "",
          resources = "pods",
          verbs = {"list", "watch", "create", "delete", "patch"}),
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = "apps",
          resources = "controllerrevisions",
          verbs = {"get", "list", "watch", "create", "patch", "delete"}),
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = "",
          resources = "events",
          verbs = {"create", "patch"}),
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = NodeDaemon.GROUP,
          resources = "nodedaemons",
          verbs = {"get", "list", "watch", "patch"}),
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = NodeDaemon.GROUP,
          resources = "nodedaemons/status",
          verbs = {"get", "patch", "update"}),
      // Pods carry an ownerReference with blockOwnerDeletion, which needs update on finalizers
      // where the OwnerReferencesPermissionEnforcement admission plugin is on.
      @PermissionRule(
          serviceAccountName = NodeDaemonBundle.NAME,
          apiGroups = NodeDaemon.GROUP,
          resources = "nodedaemons/finalizers",
          verbs = "update")
    })
public final class NodeDaemonBundle implements SharedCSVMetadata {

  /**
   * The OLM package name, which is also the application's and so the Deployment's and its service
   * account's name.
   */
  public static final String NAME = "nodedaemon-operator";

  private NodeDaemonBundle() {}
}
