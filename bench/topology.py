#!/usr/bin/env python3
"""Topology benchmark: the cost of a rollout order, and how much of one zone it takes down.

    bench/topology.py [--nodes 1000] [--zones 10] [--budget 10%] [--ready-delay 2s] [--keep]

It starts its own cluster (hack/cluster up, no nodes, then add-nodes --zones z00,...,z09: zones
assigned round-robin, so name order interleaves them) and the packaged operator (build it first:
./mvnw package -DskipTests). For each mode it creates a NodeDaemon in a fresh namespace, waits until
every node runs a Ready pod, changes the image, and samples the pods every 0.5 s until every node
runs exactly one Ready pod of the new image. Modes, all with maxUnavailable = budget:
  - plain: name order, one global budget (the default);
  - zones: order.topologyKey topology.kubernetes.io/zone, one zone at a time;
  - zones in parallel with a per-zone budget: domains Parallel, maxUnavailablePerDomain = budget.
Figures per mode: wall time of the update (image change to last node done); the peak of nodes
without a Ready pod; and the worst fraction of any one zone without a Ready pod at once (sampled, so
lower bounds). Results are appended to bench/results/topology.md. Loopback only; every wait is
bounded by --timeout.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import (Cluster, Operator, delete_namespace, header,  # noqa: E402
                      kubectl, log, require_jar, run, workloads)
from rollout import NEW_IMAGE, OLD_IMAGE, sample, template  # noqa: E402

CLUSTER = "bench-topology"
ZONE = "topology.kubernetes.io/zone"


def zones_of_nodes():
    nodes = json.loads(kubectl("get", "nodes", "-o", "json"))["items"]
    return {n["metadata"]["name"]: n["metadata"].get("labels", {}).get(ZONE, "") for n in nodes}


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


def measure(mode, rolling, namespace, zone_of, timeout, ready_delay):
    nodes = len(zone_of)
    zone_size = {}
    for zone in zone_of.values():
        zone_size[zone] = zone_size.get(zone, 0) + 1
    _, manifest = workloads(template(ready_delay),
                            update_strategy={"type": "RollingUpdate", "rollingUpdate": rolling})
    kubectl("create", "namespace", namespace)
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    wait_all(namespace, nodes, OLD_IMAGE, timeout)
    peaks = {"down": 0, "zone_fraction": 0.0, "zone": ""}

    def track(by_node):
        down = [n for n in zone_of if not any(ready for _, ready in by_node.get(n, []))]
        peaks["down"] = max(peaks["down"], len(down))
        per_zone = {}
        for n in down:
            per_zone[zone_of[n]] = per_zone.get(zone_of[n], 0) + 1
        for zone, count in per_zone.items():
            fraction = count / zone_size[zone]
            if fraction > peaks["zone_fraction"]:
                peaks["zone_fraction"], peaks["zone"] = fraction, zone

    kubectl("patch", "nodedaemon", manifest["metadata"]["name"], "-n", namespace, "--type=json",
            "-p", json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                               "value": NEW_IMAGE}]))
    elapsed = wait_all(namespace, nodes, NEW_IMAGE, timeout, track)
    log(f"{mode}: {nodes} nodes in {elapsed:.1f}s, peak down {peaks['down']}, worst zone "
        f"{peaks['zone']} at {peaks['zone_fraction']:.0%}")
    delete_namespace(namespace)
    return {"mode": mode, "seconds": round(elapsed, 1), "peak_down": peaks["down"],
            "zone_fraction": peaks["zone_fraction"], "zone": peaks["zone"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--zones", type=int, default=10)
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    require_jar()
    load_before = os.getloadavg()
    cluster = Cluster(CLUSTER, 0, daemonset_controller=False)
    zones = ",".join(f"z{i:02d}" for i in range(args.zones))
    run(cluster.script, "add-nodes", "--name", CLUSTER, "--count", str(args.nodes),
        "--prefix", "node-", "--zones", zones, check=False)
    deadline = time.monotonic() + args.timeout
    while len(zones_of_nodes()) < args.nodes:
        if time.monotonic() > deadline:
            sys.exit("the nodes did not all appear")
        time.sleep(2)
    zone_of = zones_of_nodes()
    operator = Operator(cluster)
    results = []
    try:
        operator.wait_started()
        order = {"topologyKey": ZONE}
        modes = [
            ("plain (name order)", {"maxUnavailable": args.budget}),
            ("zones, one at a time", {"maxUnavailable": args.budget, "order": order}),
            ("zones in parallel, maxUnavailablePerDomain " + args.budget,
             {"maxUnavailable": args.budget, "order": dict(order, domains="Parallel"),
              "maxUnavailablePerDomain": args.budget}),
        ]
        for i, (mode, rolling) in enumerate(modes):
            operator.check_alive()
            results.append(measure(mode, rolling, f"bench-topology-{i}", zone_of, args.timeout,
                                   args.ready_delay))
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    plain = results[0]["seconds"]
    lines = ["| mode | update wall time | vs plain | peak nodes down | worst zone down at once |",
             "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['mode']} | {r['seconds']} s | {r['seconds'] / plain:.2f}x | "
                     f"{r['peak_down']} | {r['zone_fraction']:.0%} (zone {r['zone']}) |")
    text = (header(f"{args.nodes} kwok nodes in {args.zones} zones, maxUnavailable {args.budget},"
                   f" ready delay {args.ready_delay}") + "\n"
            f"Command: `bench/topology.py --nodes {args.nodes} --zones {args.zones} --budget "
            f"{args.budget} --ready-delay {args.ready_delay}` (after `./mvnw package "
            f"-DskipTests`); load average before the cluster started "
            f"{' / '.join(f'{v:.1f}' for v in load_before)}, at the end "
            f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())}\n\n"
            "Zones are assigned round-robin, so name order spreads a batch over every zone. "
            "Down = no Ready pod on the node; sampled every 0.5 s, so peaks are lower bounds.\n\n"
            + "\n".join(lines) + "\n")
    benchlib.record("topology.md", text)


if __name__ == "__main__":
    main()
