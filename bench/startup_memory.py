#!/usr/bin/env python3
"""Startup and memory of the packaged operator on the JVM (a benchmark: it prints figures and
asserts nothing).

    bench/startup_memory.py [--nodes 1000] [--more-nodes 4000] [--jvm-arg=-Xmx512m ...] [--no-rollout]

Steps, each bounded by --timeout:
 1. hack/cluster up with --nodes kwok nodes; the packaged operator (./mvnw package -DskipTests)
    started with hack/operator; time from process start to the "operator started" log line.
 2. Idle with 0 NodeDaemons for --settle seconds: VmRSS and VmHWM from /proc/<pid>/status.
 3. One NodeDaemon on every node: time until numberReady == nodes, then RSS; with
    --extra-nodedaemons K, K more NodeDaemons on every node (K+1 pods per node), then RSS.
 4. A rolling update at that size (image patched, maxUnavailable 10%): time until
    updatedNumberScheduled == numberAvailable == desired, then RSS (skipped with --no-rollout).
 5. The operator restarted with that NodeDaemon present and its spec's generation bumped: time
    from process start to its first reconcile done (status.observedGeneration == generation).
 6. --more-nodes kwok nodes added (total nodes + more-nodes): time until every node runs a Ready
    pod, then RSS.
Everything listens on 127.0.0.1; the cluster and operator are stopped at the end (--keep leaves
the cluster). Results are appended to bench/results/startup-memory.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, Cluster, Operator, header, kubectl, log, require_jar, run  # noqa: E402

CLUSTER = "bench-memory"
NAMESPACE = "bench-memory"
NAME = "bench-agent"


def memory(pid):
    """VmRSS and VmHWM of a process, in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024)
    return values


def heap_used(pid, java_home):
    """Java heap in use, MiB, from jcmd GC.heap_info (None if jcmd is unavailable): G1's heap
    line, or the sum of the Serial and Parallel collectors' generations."""
    result = subprocess.run([os.path.join(java_home, "bin/jcmd"), str(pid), "GC.heap_info"],
                            capture_output=True, text=True)
    g1 = re.search(r"garbage-first heap +total.*?used (\d+)K", result.stdout)
    used = ([int(g1.group(1))] if g1 else
            [int(k) for k in re.findall(r"(?:DefNew|Tenured|generation|Gen|PSYoungGen|ParOldGen) +total \d+K, used (\d+)K",
                                        result.stdout)])
    return round(sum(used) / 1024) if used else None


def ready_after(operator, timeout):
    """Seconds from process start until /q/health/ready answers 200 (None if never)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operator.check_alive()
        match = re.search(r"Listening on: (http://[0-9.:]+)", operator.log_text())
        if match:
            try:
                with urllib.request.urlopen(match.group(1) + "/q/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - operator.started_at
            except OSError:
                pass
        time.sleep(0.05)
    return None


def status(namespace, name):
    nd = json.loads(kubectl("get", "nodedaemon", name, "-n", namespace, "-o", "json"))
    return nd["metadata"].get("generation"), nd.get("status", {})


class Timings(dict):
    def __setitem__(self, step, seconds):
        log(f"{step}: {seconds:.1f}s")
        super().__setitem__(step, seconds)


def wait_for(description, condition, timeout, interval=0.5):
    start = time.monotonic()
    while True:
        value = condition()
        if value:
            return time.monotonic() - start, value
        if time.monotonic() - start > timeout:
            sys.exit(f"{description}: not reached after {timeout}s")
        time.sleep(interval)


def nodedaemon(image, name=NAME):
    return {
        "apiVersion": "nodedaemon.dev/v1alpha1", "kind": "NodeDaemon",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "updateStrategy": {"type": "RollingUpdate",
                               "rollingUpdate": {"maxUnavailable": "10%"}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "agent", "image": image,
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }]},
            },
        },
    }


def all_ready(nodes, name=NAME):
    def check():
        _, st = status(NAMESPACE, name)
        return st if st.get("numberReady", 0) >= nodes and st.get(
            "desiredNumberScheduled") == nodes else None
    return check


def sample(label, operator, java_home, figures, extra=None):
    operator.check_alive()
    mem = memory(operator.pid)
    row = {"state": label, "rss_mib": mem["VmRSS"], "hwm_mib": mem["VmHWM"],
           "heap_used_mib": heap_used(operator.pid, java_home)}
    row.update(extra or {})
    figures.append(row)
    log(f"{label}: {row}")


def scenario(cluster, nodes, more_nodes=0, settle=20, jvm_args=(), rollout=True, timeout=900,
             extra_nodedaemons=0):
    """Steps 1-6 of the module's description on `cluster` (no other operator may run on it).
    Returns a record (timings, memory rows, log lines, complete) and the markdown lines."""
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    figures, timings, log_excerpts = [], Timings(), []
    operator = None
    complete = False
    try:
        kubectl("create", "namespace", NAMESPACE)
        # 1-2: cold start with no NodeDaemon, then idle.
        operator = Operator(cluster, "cold", jvm_args)
        timings["process start -> operator started (0 NodeDaemons)"] = operator.wait_started(120)
        ready = ready_after(operator, 60)
        if ready is not None:
            timings["process start -> readiness probe passes (0 NodeDaemons)"] = ready
        log_excerpts += operator.log_lines("started in", "NodeDaemon operator started")
        time.sleep(settle)  # idle on purpose: the figure is the RSS after settling
        sample(f"idle, 0 NodeDaemons, {nodes} nodes", operator, java_home, figures)

        # 3: one NodeDaemon on every node.
        kubectl("apply", "-n", NAMESPACE, "-f", "-",
                stdin=json.dumps(nodedaemon("registry.example/bench-agent:1")))
        seconds, _ = wait_for("placement", all_ready(nodes), timeout)
        timings[f"NodeDaemon applied -> {nodes} Ready pods"] = seconds
        sample(f"1 NodeDaemon on {nodes} nodes, all Ready", operator, java_home, figures)

        # 3b: more NodeDaemons on every node (more pods for the same nodes).
        if extra_nodedaemons > 0:
            t = time.monotonic()
            for i in range(1, extra_nodedaemons + 1):
                kubectl("apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(
                    nodedaemon("registry.example/bench-agent:1", f"{NAME}-{i}")))
            for i in range(1, extra_nodedaemons + 1):
                wait_for(f"placement of {NAME}-{i}", all_ready(nodes, f"{NAME}-{i}"), timeout)
            total = nodes * (extra_nodedaemons + 1)
            timings[f"{extra_nodedaemons} more NodeDaemons applied -> {total} Ready pods"] = \
                time.monotonic() - t
            time.sleep(settle)
            sample(f"{extra_nodedaemons + 1} NodeDaemons on {nodes} nodes, {total} pods Ready",
                   operator, java_home, figures)

        # 4: rolling update at that size.
        if rollout:
            kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "json", "-p",
                    json.dumps([{"op": "replace",
                                 "path": "/spec/template/spec/containers/0/image",
                                 "value": "registry.example/bench-agent:2"}]))
            hwm_before = memory(operator.pid)["VmHWM"]

            def rolled():
                generation, st = status(NAMESPACE, NAME)
                desired = st.get("desiredNumberScheduled")
                return st if st.get("observedGeneration") == generation and desired == \
                    nodes and st.get("updatedNumberScheduled") == desired and \
                    st.get("numberAvailable") == desired else None
            seconds, _ = wait_for("rolling update", rolled, timeout)
            timings[f"image patched -> {nodes} pods updated and available "
                    "(maxUnavailable 10%)"] = seconds
            sample(f"after a rolling update of {nodes} pods", operator, java_home, figures,
                   {"hwm_before_rollout_mib": hwm_before})

        # 5: restart with the NodeDaemon present and a new generation to observe.
        operator.stop()
        kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "merge", "-p",
                json.dumps({"spec": {"minReadySeconds": 1}}))
        generation, _ = status(NAMESPACE, NAME)
        operator = Operator(cluster, "warm", jvm_args)
        started = operator.wait_started(120)
        seconds, _ = wait_for(
            "first reconcile",
            lambda: status(NAMESPACE, NAME)[1].get("observedGeneration") == generation,
            timeout, interval=0.1)
        timings[f"process start -> operator started (1 NodeDaemon, {nodes} pods)"] = started
        timings["process start -> first reconcile done (observedGeneration set)"] = \
            time.monotonic() - operator.started_at
        log_excerpts += operator.log_lines("started in", "NodeDaemon operator started")

        # 6: more nodes.
        if more_nodes > 0:
            total = nodes + more_nodes
            t = time.monotonic()
            cluster.add_nodes(more_nodes, "more-")
            log(f"{more_nodes} nodes added in {time.monotonic() - t:.1f}s")
            seconds, _ = wait_for("placement on added nodes", all_ready(total), timeout)
            timings[f"{more_nodes} nodes added -> {total} Ready pods"] = time.monotonic() - t
            sample(f"1 NodeDaemon on {total} nodes, all Ready", operator, java_home, figures)
        complete = True
    except SystemExit as failure:
        log(f"stopped early: {failure}")
    finally:
        if operator:
            operator.stop()
        # Keep the operator logs: the cluster's state directory goes with `down`.
        os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
        for name in os.listdir(os.path.join(cluster.state, "logs")):
            if name.startswith("operator-"):
                subprocess.run(["cp", os.path.join(cluster.state, "logs", name),
                                os.path.join(ROOT, "target/bench", name)])
        kubectl("delete", "namespace", NAMESPACE, "--wait=false")

    java = subprocess.run([os.path.join(java_home, "bin/java"), "-version"],
                          capture_output=True, text=True).stderr.splitlines()[0]
    lines = [f"Java: {java}; JVM args: {' '.join(jvm_args) or 'those of hack/operator'}", ""]
    if not complete:
        lines += ["**Stopped early**; the steps below are those that ran.", ""]
    lines += ["| step | seconds |", "|---|---|"]
    lines += [f"| {step} | {seconds:.1f} |" for step, seconds in timings.items()]
    lines += ["", "| state | VmRSS MiB | VmHWM MiB | heap used MiB |", "|---|---|---|---|"]
    lines += [f"| {r['state']} | {r['rss_mib']} | {r['hwm_mib']} | {r['heap_used_mib']} |"
              for r in figures]
    lines += ["", "Operator log lines:", "", "```", *log_excerpts, "```"]
    record = {"timings": dict(timings), "memory": figures, "complete": complete}
    return record, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--more-nodes", type=int, default=4000)
    parser.add_argument("--settle", type=int, default=20,
                        help="seconds idle before sampling the idle RSS")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--jvm-arg", action="append", default=[],
                        help="extra JVM argument for the operator (repeatable)")
    parser.add_argument("--no-rollout", action="store_true")
    parser.add_argument("--extra-nodedaemons", type=int, default=0,
                        help="NodeDaemons added on every node after the first (more pods)")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    require_jar()
    cluster = Cluster(CLUSTER, args.nodes, daemonset_controller=False)
    try:
        record, lines = scenario(cluster, args.nodes, args.more_nodes, args.settle, args.jvm_arg,
                                 not args.no_rollout, args.timeout, args.extra_nodedaemons)
    finally:
        if not args.keep:
            cluster.down()

    command = "bench/startup_memory.py --nodes {} --more-nodes {}{}{}{}".format(
        args.nodes, args.more_nodes, "".join(f" --jvm-arg={a}" for a in args.jvm_arg),
        " --no-rollout" if args.no_rollout else "",
        f" --extra-nodedaemons {args.extra_nodedaemons}" if args.extra_nodedaemons else "")
    with open(os.path.join(ROOT, "bench/results/startup-memory.md"), "a") as out:
        out.write(header(f"{args.nodes} + {args.more_nodes} kwok nodes") + "\n"
                  f"Command: `{command}` (after `./mvnw package -DskipTests`)\n\n"
                  + "\n".join(lines) + "\n")
    print(json.dumps(record, indent=1))
    if not record["complete"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
