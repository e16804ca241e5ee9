#!/usr/bin/env python3
"""Blast radius and time to safety: a crash-looping image rolled out to a fleet by the built-in
DaemonSet controller, by NodeDaemon without steps, and by NodeDaemon with steps [1, 10%, 100%],
on the same local control plane with the same template and budget.

    bench/blast_radius.py [--nodes 1000] [--budget 10%] [--ready-delay 2s] [--window 120]

It starts its own cluster (hack/cluster up --daemonset-controller) and the packaged operator (build
it first: ./mvnw package -DskipTests). For each case it creates the workload in a fresh namespace,
waits until every node runs a Ready pod, changes the image to one kwok crash-loops, and follows the
pods on a watch (every event, not samples) until the fleet is back on the good image, Ready, or
--window seconds have passed. Figures per case:
  - nodes that ever ran the bad image;
  - peak nodes without a Ready pod;
  - seconds from the image change to the first failed health gate (NodeDaemon's event);
  - seconds from the image change to every node back on the good image and Ready ("never" when
    the window ended first: the built-in controller leaves the fleet as it is for a human).
Results are appended to bench/results/blast-radius.md. Loopback only; every wait is bounded.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (ROOT, Cluster, Operator, delete_namespace, header, kubectl,  # noqa: E402
                      require_jar, workloads)
from rollout import OLD_IMAGE, pinned_node, template, wait_all  # noqa: E402

CLUSTER = "bench-blast"
BAD_IMAGE = "registry.example/bench-agent:2-crashloop"


class PodWatch:
    """Follows a namespace's pods on `kubectl get -w`: live pods by node, nodes that ran BAD_IMAGE,
    peak nodes without a Ready pod, and when the fleet was last seen whole on OLD_IMAGE."""

    def __init__(self, namespace, nodes):
        self.nodes = nodes
        self.pods = {}
        self.bad_nodes = set()
        self.peak_down = 0
        self.listed = False
        self.recovered_at = None
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["kubectl", "get", "pods", "-n", namespace, "-w", "--output-watch-events", "-o",
             "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        decoder = json.JSONDecoder()
        buffer = ""
        for chunk in iter(lambda: self.proc.stdout.readline(), ""):
            buffer += chunk
            while buffer.strip():
                try:
                    event, end = decoder.raw_decode(buffer.lstrip())
                except json.JSONDecodeError:
                    break
                buffer = buffer.lstrip()[end:]
                self._apply(event)

    def _apply(self, event, track=True):
        listing = event.get("object", event)
        if listing.get("kind", "").endswith("List"):  # the first listing, in chunks of 500 (PodList)
            for item in listing.get("items", []):
                self._apply({"type": "ADDED", "object": item}, track=False)
            self._track()
            return
        pod = event["object"]
        uid = pod["metadata"].get("uid")
        if uid is None:
            return
        with self.lock:
            if event["type"] == "DELETED" or pod["metadata"].get("deletionTimestamp"):
                self.pods.pop(uid, None)
            else:
                node = pod["spec"].get("nodeName") or pinned_node(pod)
                image = pod["spec"]["containers"][0]["image"]
                ready = any(c["type"] == "Ready" and c["status"] == "True"
                            for c in pod.get("status", {}).get("conditions", []))
                self.pods[uid] = (node, image, ready)
                if image == BAD_IMAGE:
                    self.bad_nodes.add(node)
        if track:
            self._track()

    def _track(self):
        with self.lock:
            by_node = {}
            for node, image, ready in self.pods.values():
                by_node.setdefault(node, []).append((image, ready))
            up = sum(1 for pods in by_node.values() if any(r for _, r in pods))
            # The listing that opens the watch may come pod by pod: count from when it is whole.
            self.listed = self.listed or up >= self.nodes
            if self.listed:
                self.peak_down = max(self.peak_down, self.nodes - up)
            whole = (len(by_node) >= self.nodes
                     and all(pods == [(OLD_IMAGE, True)] for pods in by_node.values()))
            if whole and self.bad_nodes and self.recovered_at is None:
                self.recovered_at = time.monotonic()

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def first_event_time(namespace, reason):
    events = json.loads(kubectl("get", "events", "-n", namespace, "-o", "json"))["items"]
    times = [e.get("eventTime") or e.get("firstTimestamp") for e in events
             if e.get("reason") == reason]
    times = [t for t in times if t]
    return min(times) if times else None


def measure(name, manifest, namespace, nodes, window, timeout):
    kubectl("create", "namespace", namespace)
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    wait_all(namespace, nodes, OLD_IMAGE, timeout)
    if manifest["kind"] == "NodeDaemon":
        deadline = time.monotonic() + 60
        while kubectl("get", "nodedaemon", manifest["metadata"]["name"], "-n", namespace, "-o",
                      "jsonpath={.status.phase}") != "Complete":
            if time.monotonic() > deadline:
                sys.exit(f"{namespace}: the first rollout did not complete")
            time.sleep(0.5)
    watch = PodWatch(namespace, nodes)
    time.sleep(2)  # the watch has listed the pods
    started_wall = datetime.datetime.now(datetime.timezone.utc)
    started = time.monotonic()
    resource = "daemonset" if manifest["kind"] == "DaemonSet" else "nodedaemon"
    kubectl("patch", resource, manifest["metadata"]["name"], "-n", namespace, "--type=json",
            "-p", json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                               "value": BAD_IMAGE}]))
    while time.monotonic() - started < window:
        with watch.lock:
            if watch.recovered_at is not None:
                break
        time.sleep(0.5)
    watch.close()
    gate = first_event_time(namespace, "HealthGateFailed")
    to_gate = None
    if gate:
        gate_time = datetime.datetime.fromisoformat(gate.replace("Z", "+00:00"))
        to_gate = round((gate_time - started_wall).total_seconds(), 1)
    recovered = (round(watch.recovered_at - started, 1) if watch.recovered_at is not None
                 else None)
    result = {"bad_nodes": len(watch.bad_nodes), "peak_down": watch.peak_down,
              "to_first_gate": to_gate, "to_safety": recovered}
    print(f"{name}: {result}", file=sys.stderr)
    delete_namespace(namespace)
    return result


def scenario(cluster, nodes, budget="10%", ready_delay="2s", window=120, timeout=900):
    """The built-in controller, NodeDaemon without steps and with steps roll a crash-looping image
    on `cluster` (an operator must be running). Returns the records and the markdown lines."""
    daemonset, batches = workloads(
        template(ready_delay),
        update_strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": budget}})
    staged = json.loads(json.dumps(batches))
    staged["spec"]["updateStrategy"]["rollingUpdate"]["steps"] = [
        {"nodes": 1}, {"nodes": "10%"}, {"nodes": "100%"}]
    cases = [("built-in DaemonSet", daemonset, "blast-builtin"),
             ("NodeDaemon, no steps", batches, "blast-batches"),
             ("NodeDaemon, steps [1, 10%, 100%]", staged, "blast-steps")]
    results = [(name, measure(name, manifest, namespace, nodes, window, timeout))
               for name, manifest, namespace in cases]
    lines = ["| controller | nodes that ran the bad image | peak nodes without a Ready pod "
             "| update to first failed gate | update to fleet back on the good image |",
             "|---|---|---|---|---|"]
    for name, r in results:
        gate = f"{r['to_first_gate']} s" if r["to_first_gate"] is not None else "no gate"
        safe = (f"{r['to_safety']} s" if r["to_safety"] is not None
                else f"never (not within {window} s)")
        lines.append(f"| {name} | {r['bad_nodes']} | {r['peak_down']} | {gate} | {safe} |")
    return results, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--budget", default="10%")
    parser.add_argument("--ready-delay", default="2s")
    parser.add_argument("--window", type=int, default=120,
                        help="seconds to wait after the bad image for the fleet to recover")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    require_jar()
    cluster = Cluster(CLUSTER, args.nodes)
    operator = Operator(cluster)
    try:
        operator.wait_started()
        _, lines = scenario(cluster, args.nodes, args.budget, args.ready_delay, args.window,
                            args.timeout)
    finally:
        operator.stop()
        if not args.keep:
            cluster.down()

    text = (header(f"{args.nodes} kwok nodes, maxUnavailable {args.budget}, ready delay "
                   f"{args.ready_delay}") + "\n"
            f"Command: `bench/blast_radius.py --nodes {args.nodes} --budget {args.budget} "
            f"--window {args.window}` (after `./mvnw package -DskipTests`)\n\n"
            + "\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "bench/results/blast-radius.md"), "a") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()
