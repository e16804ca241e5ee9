#!/usr/bin/env python3
"""Many agents: K workloads rolled out at the same time, K DaemonSets with the built-in controller
against K NodeDaemons, on the same local control plane (issue 11: 10 agents on 1,000 nodes).

    bench/many_agents.py [--nodes 1000] [--agents 10] [--ready-delay 2s] [--budget 10%] [--keep]

It starts its own cluster (hack/cluster up --daemonset-controller) and the packaged operator (build
it first: ./mvnw package -DskipTests). For each controller (built-in first) it creates K workloads
bench-agent-0..K-1 (same template, maxUnavailable = budget) in a fresh namespace, waits until every
node runs a Ready pod of each, changes all K images in one kubectl call, and samples the pods every
0.5 s until every node runs exactly one Ready pod of the new image of each workload. Figures:
  - total: image change to the last workload done (wall time, sampled);
  - each workload's own time (a starved one shows as a long tail: max / min is reported);
  - API writes by the controller during the update, per node and workload (audit log).
Results are appended to bench/results/many-agents.md. Loopback only; each wait bounded by --timeout.
bench/run-all runs the same scenario (scenario() below) in its full and quick modes.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import (Cluster, Operator, audit_writes, builtin_actor,  # noqa: E402
                      delete_namespace, header, kubectl, load, log, nodedaemon_actor,
                      require_jar, workloads)

CLUSTER = "bench-many"
OLD_IMAGE = "registry.example/bench-agent:1"
NEW_IMAGE = "registry.example/bench-agent:2"
# One line per pod: workload, node (the scheduler's, else the one its node affinity pins), image,
# Ready, deleting. Both controllers pin a pod by matchFields metadata.name before it is bound.
POD_COLUMNS = ("{range .items[*]}{.metadata.labels.app}{' '}{.spec.nodeName}{' '}"
               "{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
               ".nodeSelectorTerms[0].matchFields[0].values[0]}{' '}"
               "{.spec.containers[0].image}{' '}"
               "{.status.conditions[?(@.type=='Ready')].status}{' '}"
               "{.metadata.deletionTimestamp}{'\\n'}{end}")


def template(name, ready_delay):
    return {
        "metadata": {
            "labels": {"app": name},
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


def done_per_workload(namespace, image):
    """Per workload: how many nodes run exactly one live pod of it, of `image` and Ready."""
    per_node = {}
    for line in kubectl("get", "pods", "-n", namespace, "-o", f"jsonpath={POD_COLUMNS}"
                        ).splitlines():
        # jsonpath prints an empty field for a missing value: split on single spaces
        app, node_name, pinned, pod_image, ready, deleting = (line.split(" ") + [""] * 6)[:6]
        if deleting:
            continue
        per_node.setdefault((app, node_name or pinned), []).append((pod_image, ready == "True"))
    done = {}
    for (app, _), pods in per_node.items():
        done[app] = done.get(app, 0) + (pods == [(image, True)])
    return done


def wait_all(namespace, names, nodes, image, timeout, started):
    """Seconds from `started` until each workload is done; exits when `timeout` passes first."""
    finished = {}
    while len(finished) < len(names):
        done = done_per_workload(namespace, image)
        now = time.monotonic()
        for name in names:
            if name not in finished and done.get(name, 0) >= nodes:
                finished[name] = now - started
        if len(finished) == len(names):
            break
        if now - started > timeout:
            sys.exit(f"{namespace}: after {timeout}s only {sorted(finished)} done on {image}; "
                     f"nodes done per workload {done}")
        time.sleep(0.5)
    return finished


def measure(kind, manifests, namespace, nodes, audit_log, is_actor, timeout):
    names = [m["metadata"]["name"] for m in manifests]
    kubectl("create", "namespace", namespace)
    started = time.monotonic()
    kubectl("apply", "-n", namespace, "-f", "-",
            stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": manifests}))
    placed = wait_all(namespace, names, nodes, OLD_IMAGE, timeout, started)
    log(f"{kind}: {len(names)} x {nodes} pods placed in {max(placed.values()):.1f}s")
    time.sleep(benchlib.TRAILING_WRITES_SECONDS)  # the placement's trailing status writes
    offset = os.path.getsize(audit_log)
    resource = "daemonset" if manifests[0]["kind"] == "DaemonSet" else "nodedaemon"
    started = time.monotonic()
    # one kubectl call patches every workload: the rollouts start within milliseconds
    kubectl("patch", resource, *names, "-n", namespace, "--type=json", "-p",
            json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                         "value": NEW_IMAGE}]))
    finished = wait_all(namespace, names, nodes, NEW_IMAGE, timeout, started)
    time.sleep(benchlib.TRAILING_WRITES_SECONDS)
    writes = audit_writes(audit_log, offset, is_actor)
    total = sum(writes.values())
    times = [finished[n] for n in names]
    log(f"{kind}: {len(names)} workloads x {nodes} nodes updated in {max(times):.1f}s, each "
        f"{', '.join(f'{t:.1f}' for t in times)}; writes {total}: {writes}")
    # Wait until the namespace and its pods are gone: the suite's next scenario measures an
    # operator's memory, and 10,000 labelled pods still being deleted sit in its pod cache (the
    # 2026-12-01 03:46 run measured 338 MiB idle at 1,000 nodes so, against 178-183 MiB before).
    delete_namespace(namespace, wait=True, timeout=timeout)
    return {"placement_seconds": round(max(placed.values()), 1),
            "seconds": round(max(times), 1), "each": [round(t, 1) for t in times],
            "spread": round(max(times) / min(times), 2), "writes": writes,
            "writes_total": total,
            "writes_per_pod": round(total / (nodes * len(names)), 2)}


def scenario(cluster, nodes, agents=10, budget="10%", ready_delay="2s", timeout=900):
    """K workloads rolled out at once (maxUnavailable = budget), by the built-in controller then by
    NodeDaemon, on `cluster` (an operator must be running). Returns the record and the markdown
    lines of the table."""
    builtin_manifests, ours_manifests = [], []
    for i in range(agents):
        name = f"bench-agent-{i}"
        daemonset, nodedaemon = workloads(
            template(name, ready_delay), name=name,
            update_strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": budget}})
        builtin_manifests.append(daemonset)
        ours_manifests.append(nodedaemon)
    ns_builtin, ns_ours = "bench-many-builtin", "bench-many-nodedaemon"
    builtin = measure("DaemonSets", builtin_manifests, ns_builtin, nodes, cluster.audit_log,
                      builtin_actor(ns_builtin), timeout)
    ours = measure("NodeDaemons", ours_manifests, ns_ours, nodes, cluster.audit_log,
                   nodedaemon_actor(ns_ours), timeout)
    record = {"builtin": builtin, "nodedaemon": ours,
              "ratio": round(ours["seconds"] / builtin["seconds"], 2)}
    slots = math.ceil(nodes * float(budget[:-1]) / 100) if budget.endswith("%") else int(budget)
    lines = [f"{agents} workloads x {nodes:,} nodes = {agents * nodes:,} pods, all {agents} "
             f"image changes in one kubectl call; maxUnavailable {budget} ({slots} nodes) each; "
             f"physical limit per workload ceil(N / budget) x ready delay = "
             f"{math.ceil(nodes / slots)} x {ready_delay}.", "",
             "| controller | placement (all pods Ready) | update, total | each workload's update "
             "| slowest / fastest | writes | writes/pod | writes by kind |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in (("built-in DaemonSet", builtin), ("NodeDaemon", ours)):
        lines.append(f"| {name} | {r['placement_seconds']} s | {r['seconds']} s | "
                     f"{', '.join(str(t) for t in r['each'])} s | {r['spread']} | "
                     f"{r['writes_total']} | {r['writes_per_pod']} | {r['writes']} |")
    lines += ["", f"NodeDaemon / built-in total update time: {record['ratio']} (goal: <= 1.0, "
              f"and no NodeDaemon starved: see each one's time)"]
    return record, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--timeout", type=int, default=900, help="bound of every wait, seconds")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--note", default="", help="a line for the results (e.g. what else ran)")
    args = parser.parse_args()

    require_jar()
    head = header(f"{args.agents} agents x {args.nodes:,} kwok nodes, budget {args.budget}, "
                  f"ready delay {args.ready_delay}")
    started = time.monotonic()
    cluster = Cluster(CLUSTER, args.nodes)
    operator = Operator(cluster, "many")
    try:
        operator.wait_started()
        _, lines = scenario(cluster, args.nodes, args.agents, args.budget, args.ready_delay,
                            args.timeout)
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    text = (head + "\n"
            f"Command: `bench/many_agents.py --nodes {args.nodes} --agents {args.agents} "
            f"--budget {args.budget} --ready-delay {args.ready_delay}` (after `./mvnw package "
            f"-DskipTests`); load average {load()} at the end; "
            f"{time.monotonic() - started:.0f} s in all"
            + (f"\n\n{args.note}" if args.note else "") + "\n\n" + "\n".join(lines) + "\n")
    benchlib.record("many-agents.md", text)


if __name__ == "__main__":
    main()
