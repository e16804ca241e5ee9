#!/usr/bin/env python3
"""Rollout benchmark: a rolling update of every node, NodeDaemon vs the built-in DaemonSet
controller, on the same local control plane, with the same pod template and a pod readiness delay.

    bench/rollout.py [--nodes 1000] [--ready-delay 2s] [--budget 10%] [--keep]

It starts its own cluster (hack/cluster up --daemonset-controller) and the packaged operator (build
it first: ./mvnw package -DskipTests). For each strategy (maxUnavailable = budget, then maxSurge =
budget) and each controller it creates the workload in a fresh namespace, waits until every node
runs a Ready pod, changes the image, and samples the pods every 0.5 s until every node runs exactly
one Ready pod of the new image. Figures per run:
  - wall time of the update (image change to last node done);
  - peak unavailable: the most nodes seen at once without a Ready pod (sampled, so a lower bound);
  - peak pods on one node (2 is the surge pod beside the old one);
  - API writes by the controller during the update, and per node (from the audit log).
Results are appended to bench/results/rollout.md. Loopback only; each phase bounded by --timeout.
bench/run-all runs the same scenario (scenario() below) as part of the suite.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import timeline  # noqa: E402
from benchlib import (ROOT, Cluster, Operator, audit_writes, builtin_actor,  # noqa: E402
                      delete_namespace, header, kubectl, nodedaemon_actor, require_jar,
                      workloads)

CLUSTER = "bench-rollout"
OLD_IMAGE = "registry.example/bench-agent:1"
NEW_IMAGE = "registry.example/bench-agent:2"


def template(ready_delay):
    return {
        "metadata": {
            "labels": {"app": "bench-agent"},
            "annotations": {"pod-ready.stage.kwok.x-k8s.io/delay": ready_delay},
        },
        "spec": {
            "containers": [{
                "name": "agent",
                "image": OLD_IMAGE,
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            }],
        },
    }


def pinned_node(pod):
    """The node a pod not yet scheduled is for: both controllers pin it by node affinity."""
    affinity = pod["spec"].get("affinity", {}).get("nodeAffinity", {})
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution", {})
    for term in required.get("nodeSelectorTerms", []):
        for field in term.get("matchFields", []):
            if field.get("key") == "metadata.name" and field.get("values"):
                return field["values"][0]
    return pod["metadata"]["name"]  # unknown: counts as a node of its own


def sample(namespace):
    """Per node: list of (image, ready) for its live pods."""
    pods = json.loads(kubectl("get", "pods", "-n", namespace, "-o", "json"))["items"]
    by_node = {}
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        node = pod["spec"].get("nodeName") or pinned_node(pod)
        ready = any(c["type"] == "Ready" and c["status"] == "True"
                    for c in pod.get("status", {}).get("conditions", []))
        by_node.setdefault(node, []).append((pod["spec"]["containers"][0]["image"], ready))
    return by_node


def wait_all(namespace, nodes, image, timeout, track=None):
    start = time.monotonic()
    while True:
        by_node = sample(namespace)
        if track:
            track(by_node)
        done = sum(1 for pods in by_node.values() if pods == [(image, True)])
        if done >= nodes and len(by_node) >= nodes:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            sys.exit(f"{namespace}: only {done}/{nodes} nodes on {image} after {timeout}s")
        time.sleep(0.5)


def measure(kind, manifest, namespace, nodes, audit_log, is_actor, timeout, budget=None,
            surge=False, cpu=lambda: {}):
    kubectl("create", "namespace", namespace)
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    wait_all(namespace, nodes, OLD_IMAGE, timeout)
    # trailing status writes of the placement are not the update's
    time.sleep(benchlib.TRAILING_WRITES_SECONDS)
    offset = os.path.getsize(audit_log)
    peaks = {"unavailable": 0, "per_node": 0}

    def track(by_node):
        unavailable = nodes - sum(1 for pods in by_node.values() if any(r for _, r in pods))
        peaks["unavailable"] = max(peaks["unavailable"], unavailable)
        peaks["per_node"] = max([peaks["per_node"]] + [len(p) for p in by_node.values()])

    resource = "daemonset" if manifest["kind"] == "DaemonSet" else "nodedaemon"
    kubectl("patch", resource, manifest["metadata"]["name"], "-n", namespace, "--type=json",
            "-p", json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                               "value": NEW_IMAGE}]))
    cpu_before = cpu()
    elapsed = wait_all(namespace, nodes, NEW_IMAGE, timeout, track)
    cpu_during = benchlib.cpu_used(cpu_before, cpu())
    time.sleep(benchlib.TRAILING_WRITES_SECONDS)
    writes = audit_writes(audit_log, offset, is_actor)
    total = sum(writes.values())
    where = None
    if budget:
        # where the time went (bench/timeline.py): the controller's reaction to a pod turning
        # ready, the scheduler's and kwok's shares
        analysis, where = timeline.summary(audit_log, namespace, offset, budget, surge)
        print("\n".join(where), file=sys.stderr)
    print(f"{kind}: {nodes} nodes updated in {elapsed:.1f}s, peak unavailable "
          f"{peaks['unavailable']}, peak pods per node {peaks['per_node']}, writes {total}: "
          f"{writes}; CPU seconds during the update: {cpu_during}", file=sys.stderr)
    delete_namespace(namespace)
    return {"seconds": round(elapsed, 1), "peak_unavailable": peaks["unavailable"],
            "peak_per_node": peaks["per_node"], "writes": writes, "writes_total": total,
            "writes_per_node": round(total / nodes, 2), "timeline": where, "cpu": cpu_during}


def scenario(cluster, nodes, budget="10%", ready_delay="2s", timeout=900, operator=None):
    """A rolling update with maxUnavailable = budget, then maxSurge = budget, each by both
    controllers on `cluster` (an operator must be running). Returns one record per strategy and
    the markdown lines of the table. With `operator`, each run also reports the CPU seconds the
    operator and each control-plane process used during the update: on 2 cores the controller's
    own CPU is taken from kwok, the scheduler and the API server that make its pods ready."""
    def cpu():
        return benchlib.cpu_snapshot(cluster, operator)

    results = []
    for strategy in ("maxUnavailable", "maxSurge"):
        rolling = ({"maxUnavailable": budget} if strategy == "maxUnavailable"
                   else {"maxUnavailable": 0, "maxSurge": budget})
        daemonset, nodedaemon = workloads(
            template(ready_delay), update_strategy={"type": "RollingUpdate",
                                                    "rollingUpdate": rolling})
        ns_builtin = f"bench-builtin-{strategy.lower()}"
        ns_ours = f"bench-nodedaemon-{strategy.lower()}"
        slots = (math.ceil(nodes * float(budget[:-1]) / 100) if budget.endswith("%")
                 else int(budget))
        surge = strategy == "maxSurge"
        builtin = measure("DaemonSet " + strategy, daemonset, ns_builtin, nodes,
                          cluster.audit_log, builtin_actor(ns_builtin), timeout, slots, surge,
                          cpu)
        ours = measure("NodeDaemon " + strategy, nodedaemon, ns_ours, nodes, cluster.audit_log,
                       nodedaemon_actor(ns_ours), timeout, slots, surge, cpu)
        results.append({"strategy": f"{strategy} {budget}", "builtin": builtin,
                        "nodedaemon": ours, "ratio": round(ours["seconds"] / builtin["seconds"],
                                                           2)})
    lines = ["| strategy | controller | update wall time | peak unavailable | peak pods/node "
             "| writes | writes/node | writes by kind |",
             "|---|---|---|---|---|---|---|---|"]
    for result in results:
        for name, r in (("built-in DaemonSet", result["builtin"]),
                        ("NodeDaemon", result["nodedaemon"])):
            lines.append(f"| {result['strategy']} | {name} | {r['seconds']} s | "
                         f"{r['peak_unavailable']} | {r['peak_per_node']} | {r['writes_total']} | "
                         f"{r['writes_per_node']} | {r['writes']} |")
    lines.append("")
    lines += [f"NodeDaemon / built-in time, {r['strategy']}: {r['ratio']}" for r in results]
    lines += ["", "Where the time went (bench/timeline.py, from the audit log):", "", "```"]
    for result in results:
        for name, r in (("built-in DaemonSet", result["builtin"]),
                        ("NodeDaemon", result["nodedaemon"])):
            lines.append(f"{result['strategy']}, {name}:")
            lines += r["timeline"] or ["  -"]
            if r["cpu"]:
                lines.append("  CPU seconds during the update: "
                             + ", ".join(f"{k} {v}" for k, v in r["cpu"].items()))
    lines.append("```")
    return results, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    require_jar()
    cluster = Cluster(CLUSTER, args.nodes)
    operator = Operator(cluster)
    try:
        operator.wait_started()
        _, lines = scenario(cluster, args.nodes, args.budget, args.ready_delay, args.timeout,
                            operator)
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    text = (header(f"{args.nodes} kwok nodes, budget {args.budget}, ready delay "
                   f"{args.ready_delay}") + "\n"
            f"Command: `bench/rollout.py --nodes {args.nodes} --budget {args.budget} "
            f"--ready-delay {args.ready_delay}` (after `./mvnw package -DskipTests`)\n\n"
            + "\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "bench/results/rollout.md"), "a") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()
