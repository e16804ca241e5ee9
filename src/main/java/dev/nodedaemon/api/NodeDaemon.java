package dev.nodedaemon.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata;

/**
 * Runs one pod from {@code spec.template} on every node that qualifies, like an apps/v1 DaemonSet:
 * a DaemonSet manifest becomes a NodeDaemon by changing its apiVersion and kind.
 */
@CSVMetadata(
    displayName = "NodeDaemon",
    description =
        "One daemon pod on every eligible node, rolled out safely: budgets, pause, partition,"
            + " in-place updates, a progress deadline and rollback by the operator")
@Group(NodeDaemon.GROUP)
@Version(NodeDaemon.VERSION)
@Kind("NodeDaemon")
@Singular("nodedaemon")
@Plural("nodedaemons")
@ShortNames("nd")
@AdditionalPrinterColumn(
    name = "Desired",
    jsonPath = ".status.desiredNumberScheduled",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Current",
    jsonPath = ".status.currentNumberScheduled",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.numberReady",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Up-to-date",
    jsonPath = ".status.updatedNumberScheduled",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Available",
    jsonPath = ".status.numberAvailable",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Node Selector",
    jsonPath = ".spec.template.spec.nodeSelector",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Images",
    jsonPath = ".spec.template.spec.containers[*].image",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@ValidationRule(
    value = "size(self.metadata.name) <= 63",
    message =
        "metadata.name must be at most 63 characters: it is the value of the nodedaemon.dev/name"
            + " label on every pod, and label values are limited to 63")
public class NodeDaemon extends CustomResource<NodeDaemonSpec, NodeDaemonStatus>
    implements Namespaced {

  public static final String GROUP = "nodedaemon.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
}
