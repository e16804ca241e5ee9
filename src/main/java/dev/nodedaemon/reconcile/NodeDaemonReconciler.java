package dev.nodedaemon.reconcile;

import dev.nodedaemon.api.NodeDaemon;
import dev.nodedaemon.api.NodeDaemonStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/** Reconciles one NodeDaemon: observe, validate, plan, act, record. */
@ControllerConfiguration(name = "nodedaemon")
public class NodeDaemonReconciler implements Reconciler<NodeDaemon> {

  @Override
  public UpdateControl<NodeDaemon> reconcile(NodeDaemon nodeDaemon, Context<NodeDaemon> context) {
    NodeDaemonStatus status = new NodeDaemonStatus();
    status.setObservedGeneration(nodeDaemon.getMetadata().getGeneration());
    if (status.equals(nodeDaemon.getStatus())) {
      return UpdateControl.noUpdate();
    }
    NodeDaemon patch = new NodeDaemon();
    patch.setMetadata(nodeDaemon.getMetadata());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }
}
