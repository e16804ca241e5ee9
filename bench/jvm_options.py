#!/usr/bin/env python3
"""JVM options for the operator, compared on one cluster: for each variant, start to first
reconcile, RSS steady with one NodeDaemon on every node, and RSS after a rolling update.

    bench/jvm_options.py [--nodes 1000] [--variants defaults,shipped,...] [--settle 15]

One hack/cluster with --nodes kwok nodes and one NodeDaemon (maxUnavailable 10%) placed on every
node by the first operator. Then for each variant in turn: bump the NodeDaemon's generation,
start the operator with the variant's options (after the options hack/operator ships, so later
ones win), time process start -> observedGeneration == generation and the CPU time used by then, idle --settle seconds, sample
VmRSS and the heap in use, patch the image, wait until every pod is updated and available, sample
again, stop. A variant may run twice to show a class-data archive's second start. Results are
appended to bench/results/jvm-options.md. Loopback only; every wait is bounded by --timeout.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, Cluster, Operator, header, kubectl, log, require_jar, run  # noqa: E402
from startup_memory import (NAME, NAMESPACE, all_ready, heap_used, memory,  # noqa: E402
                            nodedaemon, status, wait_for)

CLUSTER = "bench-jvm"

# The JVM's own defaults: hack/operator's shipped options undone where they differ.
# name: (JVM arguments after the shipped options, environment of hack/operator)
VARIANTS = {
    "defaults": ([], {"NODEDAEMON_JAVA_OPTS": "", "NODEDAEMON_CDS": "false",
                      "NODEDAEMON_MALLOC_ARENA_MAX": ""}),
    "shipped": ([], {}),
    "no-cds": ([], {"NODEDAEMON_CDS": "false"}),
    "c2": (["-XX:TieredStopAtLevel=4"], {}),
    "c1": (["-XX:TieredStopAtLevel=1"], {}),
    "g1": (["-XX:-UseSerialGC", "-XX:+UseG1GC"], {}),
    "no-trim": (["-XX:TrimNativeHeapInterval=0"], {"NODEDAEMON_MALLOC_ARENA_MAX": ""}),
    "xmx128": (["-Xmx128m"], {}),
}


def cpu_seconds(pid):
    """User + system CPU time the process has used, seconds (less load-sensitive than wall)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--variants", default="shipped,defaults,no-cds,shipped,c2")
    parser.add_argument("--settle", type=int, default=15)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    require_jar()
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    names = args.variants.split(",")
    cluster = Cluster(CLUSTER, args.nodes, daemonset_controller=False)
    rows = []
    image = 1
    try:
        kubectl("create", "namespace", NAMESPACE)
        for i, name in enumerate(names):
            if i > 0:
                kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "merge", "-p",
                        json.dumps({"spec": {"minReadySeconds": i % 2}}))
            generation = status(NAMESPACE, NAME)[0] if i > 0 else None
            operator = Operator(cluster, f"{i}-{name}", *VARIANTS[name])
            try:
                started = operator.wait_started()
                if i == 0:
                    kubectl("apply", "-n", NAMESPACE, "-f", "-",
                            stdin=json.dumps(nodedaemon(f"registry.example/bench-agent:{image}")))
                    wait_for("placement", all_ready(args.nodes), args.timeout)
                    first = None
                else:
                    wait_for("first reconcile",
                             lambda: status(NAMESPACE, NAME)[1].get("observedGeneration")
                             == generation, args.timeout, interval=0.05)
                    first = time.monotonic() - operator.started_at
                first_cpu = cpu_seconds(operator.pid)
                time.sleep(args.settle)
                operator.check_alive()
                steady = memory(operator.pid)["VmRSS"], heap_used(operator.pid, java_home)
                image += 1
                kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "json", "-p",
                        json.dumps([{"op": "replace",
                                     "path": "/spec/template/spec/containers/0/image",
                                     "value": f"registry.example/bench-agent:{image}"}]))

                def rolled():
                    gen, st = status(NAMESPACE, NAME)
                    return (st.get("observedGeneration") == gen
                            and st.get("updatedNumberScheduled") == args.nodes
                            and st.get("numberAvailable") == args.nodes)
                rolled_s, _ = wait_for("rolling update", rolled, args.timeout)
                operator.check_alive()
                loaded = memory(operator.pid), heap_used(operator.pid, java_home)
                threads = len(os.listdir(f"/proc/{operator.pid}/task"))
            finally:
                operator.stop()
            row = {"variant": name, "started": round(started, 1),
                   "first_reconcile": round(first, 1) if first else None,
                   "first_cpu": round(first_cpu, 1),
                   "steady_rss": steady[0], "steady_heap": steady[1], "rollout_s": round(rolled_s, 1),
                   "rollout_rss": loaded[0]["VmRSS"], "rollout_hwm": loaded[0]["VmHWM"],
                   "rollout_heap": loaded[1], "threads": threads}
            log(str(row))
            rows.append(row)
    finally:
        cluster.down()

    lines = [header(f"JVM options, {args.nodes} kwok nodes, 1 NodeDaemon (maxUnavailable 10%)"),
             f"Command: `bench/jvm_options.py --nodes {args.nodes} --variants {args.variants}`",
             "",
             "Options shipped by hack/operator (each variant's are added after them): "
             f"`{os.environ.get('NODEDAEMON_JAVA_OPTS') or shipped_options()}`",
             "", *[f"- {name}: `{' '.join(VARIANTS[name][0]) or '(none)'}` "
                   f"{VARIANTS[name][1] or ''}" for name in dict.fromkeys(names)], "",
             "| # | variant | start -> 'operator started' | start -> first reconcile "
             "| CPU time to it | VmRSS steady (1,000 pods) | heap used | rollout "
             "| VmRSS / VmHWM after | heap used | threads |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows):
        first = f"{r['first_reconcile']} s" if r["first_reconcile"] else "- (placed the pods)"
        lines.append(f"| {i} | {r['variant']} | {r['started']} s | {first} | {r['first_cpu']} s "
                     f"| {r['steady_rss']} MiB "
                     f"| {r['steady_heap']} MiB | {r['rollout_s']} s | {r['rollout_rss']} / "
                     f"{r['rollout_hwm']} MiB | {r['rollout_heap']} MiB | {r['threads']} |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, "bench/results/jvm-options.md"), "a") as out:
        out.write(text)
    print(text)


def shipped_options():
    with open(os.path.join(ROOT, "helm/nodedaemon/files/jvm-options")) as f:
        return " ".join(line.strip() for line in f
                        if line.strip() and not line.startswith("#"))


if __name__ == "__main__":
    main()
