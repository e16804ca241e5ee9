#!/usr/bin/env python3
"""Node join: how long a node that joins waits for its pod, the built-in DaemonSet controller and
NodeDaemon side by side on the same nodes (issue 11: p99 <= 2 s, also while a rollout runs with 100
nodes joining and 100 leaving).

    bench/node_join.py [--nodes 1000] [--joins 50] [--ready-delay 2s] [--budget 10%] [--keep]

It starts its own cluster (hack/cluster up --daemonset-controller) and the packaged operator (build
it first: ./mvnw package -DskipTests), creates the same workload as a DaemonSet and as a NodeDaemon
(each in its own namespace, maxUnavailable = budget) and waits until every node runs a Ready pod of
each. Then two phases, each adding --joins nodes (hack/cluster add-nodes):
  - quiet: nothing else happens;
  - churn: both workloads' images are changed, and while both roll out --joins nodes join and
    --joins of the original nodes are deleted.
Latency of a joined node, per controller: from the node's create request (the API server's receive
time in the audit log, microseconds) to that controller's pod for the node arriving on a pod watch
(kubectl get pods --watch, read as it streams; the pod's own creationTimestamp has only whole
seconds). The watch's delivery delay is counted against the controller, never in its favour; as a
cross-check free of it, the p99 of creationTimestamp + 1 s - node create (an upper bound) is printed
too. It prints p50 / p99 / max per controller and phase, and how many joined nodes got no pod before
--timeout (a missing pod counts as infinitely late). Results are appended to
bench/results/node-join.md. Loopback only; every wait bounded; the cluster is torn down at the end.
bench/run-all runs the same scenario (scenario() below) in its full and quick modes.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import (Cluster, Operator, delete_namespace, header, kubectl,  # noqa: E402
                      load, log, require_jar, run, workloads)

CLUSTER = "bench-join"
OLD_IMAGE = "registry.example/bench-agent:1"
NEW_IMAGE = "registry.example/bench-agent:2"
NAMESPACES = {"built-in DaemonSet": "bench-join-builtin", "NodeDaemon": "bench-join-nodedaemon"}
# namespace, creationTimestamp, node the pod is for (pinned by node affinity by both controllers),
# node it is bound to
WATCH_COLUMNS = ("{.metadata.namespace}{' '}{.metadata.creationTimestamp}{' '}"
                 "{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                 ".nodeSelectorTerms[0].matchFields[0].values[0]}{' '}{.spec.nodeName}{'\\n'}")


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


class PodWatch:
    """A pod watch over every namespace: the first time (wall clock) a pod for each (namespace,
    node) was seen, and that pod's creationTimestamp. Started before the nodes join, so each of
    their pods arrives as an event."""

    def __init__(self):
        self.first_seen = {}
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            ["kubectl", "get", "pods", "-A", "--watch-only", "-o", f"jsonpath={WATCH_COLUMNS}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.process.stdout:
            seen = time.time()
            namespace, created, pinned, bound = (line.rstrip("\n").split(" ") + [""] * 3)[:4]
            node = pinned or bound
            if node and created:
                with self.lock:
                    self.first_seen.setdefault((namespace, node), (seen, _ts(created)))

    def seen(self, namespace, node):
        """(wall clock seen, creationTimestamp) of the first pod for the node, or None."""
        with self.lock:
            return self.first_seen.get((namespace, node))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def node_created(audit_log, offset, names):
    """The API server's receive time of each node's successful create request."""
    created = {}
    with open(audit_log) as f:
        f.seek(offset)
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            ref = e.get("objectRef", {})
            if (e.get("stage") == "ResponseComplete" and e.get("verb") == "create"
                    and ref.get("resource") == "nodes" and ref.get("name") in names
                    and 200 <= e.get("responseStatus", {}).get("code", 0) < 300):
                created[ref["name"]] = _ts(e["requestReceivedTimestamp"])
    return created


def percentile(values, p):
    """Nearest-rank percentile; None (a node without a pod) sorts last as infinitely late."""
    ordered = sorted(values, key=lambda v: math.inf if v is None else v)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def wait_placed(namespace, nodes, timeout):
    """Bounded wait until `nodes` pods of the namespace are Ready (one per node)."""
    deadline = time.monotonic() + timeout
    while True:
        ready = kubectl("get", "pods", "-n", namespace, "-o",
                        "jsonpath={range .items[*]}"
                        "{.status.conditions[?(@.type=='Ready')].status}{'\\n'}{end}"
                        ).split().count("True")
        if ready >= nodes:
            return
        if time.monotonic() > deadline:
            sys.exit(f"{namespace}: only {ready}/{nodes} pods Ready after {timeout}s")
        time.sleep(0.5)


def join(cluster, watch, prefix, count, timeout, during=None):
    """Adds `count` nodes named prefix<n> (running `during` meanwhile) and returns per controller
    the latency of each joined node, None where no pod came within `timeout`."""
    offset = os.path.getsize(cluster.audit_log)
    side = threading.Thread(target=during) if during else None
    if side:
        side.start()
    cluster.add_nodes(count, prefix)  # returns once the nodes are Ready (or it gave up waiting)
    names = {f"{prefix}{i}" for i in range(count)}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(
            watch.seen(ns, n) for ns in NAMESPACES.values() for n in names):
        time.sleep(0.2)
    if side:
        side.join(timeout)
    created = node_created(cluster.audit_log, offset, names)
    if len(created) != count:
        sys.exit(f"audit log has {len(created)} of {count} node creates for {prefix}*")
    latencies = {}
    for controller, namespace in NAMESPACES.items():
        seen = {n: watch.seen(namespace, n) for n in sorted(names)}
        # the watch's figure, and a cross-check independent of the watch's delivery delay: the
        # pod's creationTimestamp has whole seconds, so it was created before timestamp + 1 s
        latencies[controller] = (
            [seen[n][0] - created[n] if seen[n] else None for n in sorted(names)],
            [seen[n][1] + 1 - created[n] if seen[n] else None for n in sorted(names)])
    return latencies


def stats(pair):
    values, bound = pair
    missing = sum(v is None for v in values)
    fmt = lambda v: "never" if v is None else f"{v:.2f} s"  # noqa: E731
    return {"p50": fmt(percentile(values, 50)), "p99": fmt(percentile(values, 99)),
            "max": fmt(percentile(values, 100)), "missing": missing,
            "p99_seconds": percentile(values, 99), "p99_bound": fmt(percentile(bound, 99))}


def scenario(cluster, nodes, joins=50, budget="10%", ready_delay="2s", timeout=900):
    """The quiet and the churn phase on `cluster` (an operator must be running, the cluster's
    nodes named node-<n>). Returns {phase: {controller: stats}} and the markdown lines."""
    for controller, namespace in NAMESPACES.items():
        daemonset, nodedaemon = workloads(
            template(ready_delay),
            update_strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": budget}})
        manifest = daemonset if controller.startswith("built-in") else nodedaemon
        kubectl("create", "namespace", namespace)
        kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    for namespace in NAMESPACES.values():
        wait_placed(namespace, nodes, timeout)
    log(f"both workloads placed on {nodes} nodes")
    watch = PodWatch()
    results, rollout = {}, {}
    try:
        results["quiet"] = join(cluster, watch, "join-quiet-", joins, timeout)

        def roll_and_leave():
            # both rollouts start, then `joins` of the original nodes leave while the new ones join
            rollout["started"] = time.monotonic()
            for controller, namespace in NAMESPACES.items():
                resource = "daemonset" if controller.startswith("built-in") else "nodedaemon"
                kubectl("patch", resource, "bench-agent", "-n", namespace, "--type=json", "-p",
                        json.dumps([{"op": "replace",
                                     "path": "/spec/template/spec/containers/0/image",
                                     "value": NEW_IMAGE}]))
            run("kubectl", "delete", "node", "--wait=false",
                *[f"node-{i}" for i in range(joins)])

        results["churn"] = join(cluster, watch, "join-churn-", joins, timeout, roll_and_leave)
    finally:
        watch.stop()
        for namespace in NAMESPACES.values():
            delete_namespace(namespace)
    table = {phase: {c: stats(v) for c, v in by.items()} for phase, by in results.items()}
    lines = [f"{nodes:,} nodes to start with; each phase adds {joins} nodes (hack/cluster "
             f"add-nodes, one batch). Churn: both workloads' images changed (maxUnavailable "
             f"{budget}, ready delay {ready_delay}) and {joins} original nodes deleted while the "
             f"{joins} join. Latency: node create request received (audit log) -> that "
             f"controller's pod for the node seen on a pod watch; the last column bounds the same "
             f"latency from the pod's creationTimestamp (whole seconds, + 1 s) instead of the "
             f"watch.", "",
             "| phase | controller | joined nodes | p50 | p99 | max | no pod | p99 / 2 s goal "
             "| p99 by creationTimestamp (upper bound) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for phase, by in table.items():
        for controller, s in by.items():
            ratio = ("-" if s["p99_seconds"] is None else round(s["p99_seconds"] / 2.0, 2))
            lines.append(f"| {phase} | {controller} | {joins} | {s['p50']} | {s['p99']} | "
                         f"{s['max']} | {s['missing']} | {ratio} | {s['p99_bound']} |")
    return table, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--joins", type=int, default=50, help="nodes joining (and leaving)")
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--timeout", type=int, default=600, help="bound of every wait, seconds")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--note", default="", help="a line for the results (e.g. what else ran)")
    args = parser.parse_args()

    require_jar()
    head = header(f"{args.nodes:,} kwok nodes, {args.joins} joins per phase, budget "
                  f"{args.budget}, ready delay {args.ready_delay}")
    started = time.monotonic()
    cluster = Cluster(CLUSTER, args.nodes)
    operator = Operator(cluster, "join")
    try:
        operator.wait_started()
        _, lines = scenario(cluster, args.nodes, args.joins, args.budget, args.ready_delay,
                            args.timeout)
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    text = (head + "\n"
            f"Command: `bench/node_join.py --nodes {args.nodes} --joins {args.joins} --budget "
            f"{args.budget} --ready-delay {args.ready_delay}` (after `./mvnw package "
            f"-DskipTests`); load average {load()} at the end; "
            f"{time.monotonic() - started:.0f} s in all"
            + (f"\n\n{args.note}" if args.note else "") + "\n\n" + "\n".join(lines) + "\n")
    benchlib.record("node-join.md", text)


if __name__ == "__main__":
    main()
