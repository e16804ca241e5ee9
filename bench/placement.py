#!/usr/bin/env python3
"""Placement benchmark: time until every node runs a Ready daemon pod, NodeDaemon vs the built-in
DaemonSet controller, on the same local control plane and with the same pod template.

    bench/placement.py [--nodes 1000] [--keep]

It starts its own cluster (hack/cluster up --daemonset-controller), the packaged operator
(build it first: ./mvnw package -DskipTests), then for each controller in turn creates the
workload in a fresh namespace and polls pod readiness every 0.25 s until all nodes have a Ready
pod. API writes are counted from the API server's audit log: the built-in controller by its user
(system:kube-controller-manager, DaemonSet and pod requests), the operator by its user agent.
Results are appended to bench/results/placement.md. Loopback only; bounded by --timeout.
bench/run-all runs the same scenario (scenario() below) as part of the suite.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import (ROOT, Cluster, Operator, audit_writes, builtin_actor,  # noqa: E402
                      delete_namespace, header, kubectl, nodedaemon_actor, require_jar,
                      workloads)

CLUSTER = "bench-placement"

TEMPLATE = {
    "metadata": {"labels": {"app": "bench-agent"}},
    "spec": {
        "containers": [{
            "name": "agent",
            "image": "registry.example/bench-agent:1",
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
        }],
    },
}

def ready_pods(namespace):
    pods = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    ready = 0
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        for cond in pod.get("status", {}).get("conditions", []):
            if cond["type"] == "Ready" and cond["status"] == "True":
                ready += 1
    return len(pods), ready


def measure(kind, manifest, namespace, nodes, audit_log, is_actor, timeout):
    kubectl("create", "namespace", namespace)
    offset = os.path.getsize(audit_log)
    start = time.monotonic()
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    first_ready = None
    while True:
        total, ready = ready_pods(namespace)
        now = time.monotonic() - start
        if ready > 0 and first_ready is None:
            first_ready = now
        if ready >= nodes:
            break
        if now > timeout:
            sys.exit(f"{kind}: only {ready}/{nodes} ready after {timeout}s")
        time.sleep(0.25)
    elapsed = time.monotonic() - start
    # Let trailing status writes land before counting.
    time.sleep(benchlib.TRAILING_WRITES_SECONDS)
    writes = audit_writes(audit_log, offset, is_actor)
    print(f"{kind}: {nodes} Ready pods in {elapsed:.1f}s (first after {first_ready:.1f}s), "
          f"writes {sum(writes.values())}: {writes}", file=sys.stderr)
    return {"seconds": round(elapsed, 1), "first_ready_seconds": round(first_ready, 1),
            "writes": writes, "writes_total": sum(writes.values())}


def scenario(cluster, nodes, timeout=600, nodedaemon_first=False, cleanup=True):
    """Both controllers place one pod per node on `cluster` (an operator must be running).
    Returns the result record and the markdown lines of its table."""
    daemonset, nodedaemon = workloads(TEMPLATE)

    def run_builtin():
        return measure("DaemonSet", daemonset, "bench-builtin", nodes, cluster.audit_log,
                       builtin_actor("bench-builtin"), timeout)

    def run_nodedaemon():
        return measure("NodeDaemon", nodedaemon, "bench-nodedaemon", nodes, cluster.audit_log,
                       nodedaemon_actor("bench-nodedaemon"), timeout)

    if nodedaemon_first:
        ours = run_nodedaemon()
        builtin = run_builtin()
    else:
        builtin = run_builtin()
        ours = run_nodedaemon()
    if cleanup:
        for namespace in ("bench-builtin", "bench-nodedaemon"):
            delete_namespace(namespace, wait=True)
    ratio = round(ours["seconds"] / builtin["seconds"], 2)
    lines = [
        "| controller | all Ready | first Ready | API writes | writes by kind |",
        "|---|---|---|---|---|",
        f"| built-in DaemonSet | {builtin['seconds']} s | {builtin['first_ready_seconds']} s "
        f"| {builtin['writes_total']} | {builtin['writes']} |",
        f"| NodeDaemon | {ours['seconds']} s | {ours['first_ready_seconds']} s "
        f"| {ours['writes_total']} | {ours['writes']} |",
        "",
        f"NodeDaemon / built-in time: {ratio}",
    ]
    return {"nodes": nodes, "builtin": builtin, "nodedaemon": ours, "ratio": ratio}, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--nodedaemon-first", action="store_true",
                        help="measure NodeDaemon first (the second run shares the cluster with the "
                             "first one's pods; run both orders to see the effect)")
    args = parser.parse_args()

    require_jar()
    cluster = Cluster(CLUSTER, args.nodes)
    operator = Operator(cluster)
    try:
        operator.wait_started()
        record, lines = scenario(cluster, args.nodes, args.timeout, args.nodedaemon_first,
                                 cleanup=False)
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    with open(os.path.join(ROOT, "bench/results/placement.md"), "a") as out:
        out.write(header(f"{args.nodes} kwok nodes") + "\n"
                  f"Command: `bench/placement.py --nodes {args.nodes}"
                  f"{' --nodedaemon-first' if args.nodedaemon_first else ''}` "
                  "(after `./mvnw package -DskipTests`)\n\n" + "\n".join(lines) + "\n")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
