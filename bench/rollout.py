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
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from placement import ROOT, audit_writes, kubectl, run  # noqa: E402

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


def measure(kind, manifest, namespace, nodes, audit_log, is_actor, timeout):
    kubectl("create", "namespace", namespace)
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    wait_all(namespace, nodes, OLD_IMAGE, timeout)
    time.sleep(3)  # trailing status writes of the placement are not the update's
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
    elapsed = wait_all(namespace, nodes, NEW_IMAGE, timeout, track)
    time.sleep(3)
    writes = audit_writes(audit_log, offset, is_actor)
    total = sum(writes.values())
    print(f"{kind}: {nodes} nodes updated in {elapsed:.1f}s, peak unavailable "
          f"{peaks['unavailable']}, peak pods per node {peaks['per_node']}, writes {total}: "
          f"{writes}", file=sys.stderr)
    kubectl("delete", "namespace", namespace, "--wait=false")
    return {"seconds": round(elapsed, 1), "peak_unavailable": peaks["unavailable"],
            "peak_per_node": peaks["per_node"], "writes": writes, "writes_total": total,
            "writes_per_node": round(total / nodes, 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    jar = os.path.join(ROOT, "target/quarkus-app/quarkus-run.jar")
    if not os.path.exists(jar):
        sys.exit("build the operator first: ./mvnw package -DskipTests")
    run(os.path.join(ROOT, "hack/cluster"), "down", "--name", CLUSTER, check=False)
    env_lines = run(os.path.join(ROOT, "hack/cluster"), "up", "--name", CLUSTER,
                    "--nodes", str(args.nodes), "--daemonset-controller")
    for line in env_lines.splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        os.environ[key] = value.replace("$PATH", os.environ["PATH"])
    state = os.path.dirname(os.environ["KUBECONFIG"])
    audit_log = os.path.join(state, "audit.log")

    operator = subprocess.Popen(
        [os.path.join(ROOT, "hack/operator"), "-Dquarkus.http.port=0"],
        stdout=open(os.path.join(state, "logs/operator.log"), "w"), stderr=subprocess.STDOUT)
    results = []
    try:
        deadline = time.monotonic() + 180
        while "nodedaemons" not in run("kubectl", "api-resources", check=False) or \
                "started" not in open(os.path.join(state, "logs/operator.log")).read():
            if time.monotonic() > deadline or operator.poll() is not None:
                sys.exit("operator did not start; see " + state + "/logs/operator.log")
            time.sleep(0.5)

        for strategy in ("maxUnavailable", "maxSurge"):
            rolling = ({"maxUnavailable": args.budget} if strategy == "maxUnavailable"
                       else {"maxUnavailable": 0, "maxSurge": args.budget})
            daemonset = {
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": {"name": "bench-agent"},
                "spec": {"selector": {"matchLabels": {"app": "bench-agent"}},
                         "template": template(args.ready_delay),
                         "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": rolling}},
            }
            nodedaemon = dict(daemonset, apiVersion="nodedaemon.dev/v1alpha1", kind="NodeDaemon")
            ns_builtin = f"bench-builtin-{strategy.lower()}"
            ns_ours = f"bench-nodedaemon-{strategy.lower()}"
            builtin = measure(
                "DaemonSet " + strategy, daemonset, ns_builtin, args.nodes, audit_log,
                lambda e, ns=ns_builtin: e["user"]["username"] == "system:kube-controller-manager"
                and e.get("objectRef", {}).get("namespace") == ns, args.timeout)
            ours = measure(
                "NodeDaemon " + strategy, nodedaemon, ns_ours, args.nodes, audit_log,
                lambda e, ns=ns_ours: e.get("userAgent", "").startswith("fabric8")
                and e.get("objectRef", {}).get("namespace") == ns, args.timeout)
            results.append((strategy, builtin, ours))
    finally:
        operator.terminate()
        operator.wait(30)
        if not args.keep:
            run(os.path.join(ROOT, "hack/cluster"), "down", "--name", CLUSTER, check=False)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, {platform.machine()}"
    lines = [f"\n## {date}: {args.nodes} kwok nodes, budget {args.budget}, ready delay "
             f"{args.ready_delay}, {machine}\n",
             f"Command: `bench/rollout.py --nodes {args.nodes} --budget {args.budget} "
             f"--ready-delay {args.ready_delay}` (after `./mvnw package -DskipTests`)\n",
             "| strategy | controller | update wall time | peak unavailable | peak pods/node "
             "| writes | writes/node | writes by kind |",
             "|---|---|---|---|---|---|---|---|"]
    for strategy, builtin, ours in results:
        for name, r in (("built-in DaemonSet", builtin), ("NodeDaemon", ours)):
            lines.append(f"| {strategy} {args.budget} | {name} | {r['seconds']} s | "
                         f"{r['peak_unavailable']} | {r['peak_per_node']} | {r['writes_total']} | "
                         f"{r['writes_per_node']} | {r['writes']} |")
    with open(os.path.join(ROOT, "bench/results/rollout.md"), "a") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
