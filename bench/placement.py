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
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def run(*args, stdin=None, check=True):
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def kubectl(*args, stdin=None):
    return run("kubectl", *args, stdin=stdin)


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


def audit_writes(audit_log, offset, is_actor):
    counts = {}
    with open(audit_log) as f:
        f.seek(offset)
        for line in f:
            event = json.loads(line)
            if event.get("stage") != "ResponseComplete" or not is_actor(event):
                continue
            ref = event.get("objectRef", {})
            key = f"{event['verb']} {ref.get('resource', '?')}" + (
                f"/{ref['subresource']}" if ref.get("subresource") else "")
            counts[key] = counts.get(key, 0) + 1
    return counts


def measure(kind, manifest, namespace, nodes, audit_log, is_actor, timeout):
    kubectl("create", "namespace", namespace)
    offset = os.path.getsize(audit_log)
    start = time.monotonic()
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(manifest))
    first_ready = None
    samples = 0
    while True:
        total, ready = ready_pods(namespace)
        samples += 1
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
    time.sleep(3)
    writes = audit_writes(audit_log, offset, is_actor)
    print(f"{kind}: {nodes} Ready pods in {elapsed:.1f}s (first after {first_ready:.1f}s), "
          f"writes {sum(writes.values())}: {writes}", file=sys.stderr)
    return {"seconds": round(elapsed, 1), "first_ready_seconds": round(first_ready, 1),
            "writes": writes, "writes_total": sum(writes.values())}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--nodedaemon-first", action="store_true",
                        help="measure NodeDaemon first (the second run shares the cluster with the "
                             "first one's pods; run both orders to see the effect)")
    args = parser.parse_args()

    jar = os.path.join(ROOT, "target/quarkus-app/quarkus-run.jar")
    if not os.path.exists(jar):
        sys.exit("build the operator first: ./mvnw package -DskipTests")
    run(os.path.join(ROOT, "hack/cluster"), "down", "--name", CLUSTER, check=False)
    t = time.monotonic()
    env_lines = run(os.path.join(ROOT, "hack/cluster"), "up", "--name", CLUSTER,
                    "--nodes", str(args.nodes), "--daemonset-controller")
    print(f"cluster with {args.nodes} nodes up in {time.monotonic() - t:.1f}s", file=sys.stderr)
    for line in env_lines.splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        os.environ[key] = value.replace("$PATH", os.environ["PATH"])
    state = os.path.dirname(os.environ["KUBECONFIG"])
    audit_log = os.path.join(state, "audit.log")

    operator = subprocess.Popen(
        [os.path.join(ROOT, "hack/operator"), "-Dquarkus.http.port=0"],
        stdout=open(os.path.join(state, "logs/operator.log"), "w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "nodedaemons" not in run("kubectl", "api-resources", check=False) or \
                "started" not in open(os.path.join(state, "logs/operator.log")).read():
            if time.monotonic() > deadline or operator.poll() is not None:
                sys.exit("operator did not start; see " + state + "/logs/operator.log")
            time.sleep(0.5)

        daemonset = {
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "bench-agent"},
            "spec": {"selector": {"matchLabels": {"app": "bench-agent"}}, "template": TEMPLATE},
        }
        nodedaemon = dict(daemonset, apiVersion="nodedaemon.dev/v1alpha1", kind="NodeDaemon")
        def run_builtin():
            return measure(
                "DaemonSet", daemonset, "bench-builtin", args.nodes, audit_log,
                lambda e: e["user"]["username"] == "system:kube-controller-manager"
                and e.get("objectRef", {}).get("namespace") == "bench-builtin",
                args.timeout)

        def run_nodedaemon():
            return measure(
                "NodeDaemon", nodedaemon, "bench-nodedaemon", args.nodes, audit_log,
                lambda e: e.get("userAgent", "").startswith("fabric8")
                and e.get("objectRef", {}).get("namespace") == "bench-nodedaemon",
                args.timeout)

        if args.nodedaemon_first:
            ours = run_nodedaemon()
            builtin = run_builtin()
        else:
            builtin = run_builtin()
            ours = run_nodedaemon()
    finally:
        operator.terminate()
        operator.wait(30)
        if not args.keep:
            run(os.path.join(ROOT, "hack/cluster"), "down", "--name", CLUSTER, check=False)

    ratio = ours["seconds"] / builtin["seconds"]
    record = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nodes": args.nodes, "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "builtin": builtin, "nodedaemon": ours, "ratio": round(ratio, 2),
    }
    with open(os.path.join(ROOT, "bench/results/placement.md"), "a") as out:
        out.write(
            f"\n## {record['date']}: {args.nodes} kwok nodes, {record['machine']}\n\n"
            f"Command: `bench/placement.py --nodes {args.nodes}"
            f"{' --nodedaemon-first' if args.nodedaemon_first else ''}` (after `./mvnw package -DskipTests`)\n\n"
            "| controller | all Ready | first Ready | API writes | writes by kind |\n"
            "|---|---|---|---|---|\n"
            f"| built-in DaemonSet | {builtin['seconds']} s | {builtin['first_ready_seconds']} s "
            f"| {builtin['writes_total']} | {builtin['writes']} |\n"
            f"| NodeDaemon | {ours['seconds']} s | {ours['first_ready_seconds']} s "
            f"| {ours['writes_total']} | {ours['writes']} |\n\n"
            f"NodeDaemon / built-in time: {record['ratio']}\n")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
