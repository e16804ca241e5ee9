#!/usr/bin/env python3
"""Startup and memory of the packaged operator on the JVM (a benchmark: it prints figures and
asserts nothing).

    bench/startup_memory.py [--nodes 1000] [--more-nodes 4000] [--jvm-arg=-Xmx512m ...] [--no-rollout]

Steps, each bounded by --timeout:
 1. hack/cluster up with --nodes kwok nodes; the packaged operator (./mvnw package -DskipTests)
    started with hack/operator; time from process start to the "operator started" log line.
 2. Idle with 0 NodeDaemons for --settle seconds: VmRSS and VmHWM from /proc/<pid>/status.
 3. One NodeDaemon on every node: time until numberReady == nodes, then RSS.
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
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = "bench-memory"
NAMESPACE = "bench-memory"
NAME = "bench-agent"


def run(*args, stdin=None, check=True):
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def kubectl(*args, stdin=None):
    return run("kubectl", *args, stdin=stdin)


def log(message):
    print(f"{datetime.datetime.now(datetime.timezone.utc):%H:%M:%S} {message}", file=sys.stderr)


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
    """Java heap in use, MiB, from jcmd GC.heap_info (None if jcmd is unavailable)."""
    result = subprocess.run([os.path.join(java_home, "bin/jcmd"), str(pid), "GC.heap_info"],
                            capture_output=True, text=True)
    match = re.search(r"heap +total.*?used (\d+)K", result.stdout)
    return round(int(match.group(1)) / 1024) if match else None


class Operator:
    def __init__(self, state, label, jvm_args):
        self.log_path = os.path.join(state, f"logs/operator-{label}.log")
        self.started_at = time.monotonic()
        self.started_wall = datetime.datetime.now(datetime.timezone.utc)
        self.process = subprocess.Popen(
            [os.path.join(ROOT, "hack/operator"), "-Dquarkus.http.port=0", *jvm_args],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_started(self, timeout):
        deadline = time.monotonic() + timeout
        while "NodeDaemon operator started" not in self.log_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                sys.exit("operator did not start; see " + self.log_path)
            time.sleep(0.05)
        return time.monotonic() - self.started_at

    def log_lines(self, *needles):
        return [line.strip() for line in self.log_text().splitlines()
                if any(needle in line for needle in needles)]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


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


def nodedaemon(image):
    return {
        "apiVersion": "nodedaemon.dev/v1alpha1", "kind": "NodeDaemon",
        "metadata": {"name": NAME},
        "spec": {
            "selector": {"matchLabels": {"app": NAME}},
            "updateStrategy": {"type": "RollingUpdate",
                               "rollingUpdate": {"maxUnavailable": "10%"}},
            "template": {
                "metadata": {"labels": {"app": NAME}},
                "spec": {"containers": [{
                    "name": "agent", "image": image,
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }]},
            },
        },
    }


def all_ready(nodes):
    def check():
        _, st = status(NAMESPACE, NAME)
        return st if st.get("numberReady", 0) >= nodes and st.get(
            "desiredNumberScheduled") == nodes else None
    return check


def sample(label, operator, java_home, figures, extra=None):
    if operator.process.poll() is not None:
        sys.exit(f"operator exited ({operator.process.returncode}); see {operator.log_path}")
    pid = operator.process.pid
    mem = memory(pid)
    row = {"state": label, "rss_mib": mem["VmRSS"], "hwm_mib": mem["VmHWM"],
           "heap_used_mib": heap_used(pid, java_home)}
    row.update(extra or {})
    figures.append(row)
    log(f"{label}: {row}")


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
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    args = parser.parse_args()

    jar = os.path.join(ROOT, "target/quarkus-app/quarkus-run.jar")
    if not os.path.exists(jar):
        sys.exit("build the operator first: ./mvnw package -DskipTests")
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    cluster = os.path.join(ROOT, "hack/cluster")
    run(cluster, "down", "--name", CLUSTER, check=False)
    t = time.monotonic()
    env_lines = run(cluster, "up", "--name", CLUSTER, "--nodes", str(args.nodes))
    log(f"cluster with {args.nodes} nodes up in {time.monotonic() - t:.1f}s")
    for line in env_lines.splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        os.environ[key] = value.replace("$PATH", os.environ["PATH"])
    state = os.path.dirname(os.environ["KUBECONFIG"])

    figures, timings, log_excerpts = [], Timings(), []
    operator = None
    complete = False
    try:
        kubectl("create", "namespace", NAMESPACE)
        # 1-2: cold start with no NodeDaemon, then idle.
        operator = Operator(state, "cold", args.jvm_arg)
        timings["process start -> operator started (0 NodeDaemons)"] = operator.wait_started(120)
        log_excerpts += operator.log_lines("started in", "NodeDaemon operator started")
        time.sleep(args.settle)  # idle on purpose: the figure is the RSS after settling
        sample(f"idle, 0 NodeDaemons, {args.nodes} nodes", operator, java_home,
               figures)

        # 3: one NodeDaemon on every node.
        kubectl("apply", "-n", NAMESPACE, "-f", "-",
                stdin=json.dumps(nodedaemon("registry.example/bench-agent:1")))
        seconds, _ = wait_for("placement", all_ready(args.nodes), args.timeout)
        timings[f"NodeDaemon applied -> {args.nodes} Ready pods"] = seconds
        sample(f"1 NodeDaemon on {args.nodes} nodes, all Ready", operator, java_home,
               figures)

        # 4: rolling update at that size.
        if not args.no_rollout:
            kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "json", "-p",
                    json.dumps([{"op": "replace",
                                 "path": "/spec/template/spec/containers/0/image",
                                 "value": "registry.example/bench-agent:2"}]))
            hwm_before = memory(operator.process.pid)["VmHWM"]

            def rolled():
                generation, st = status(NAMESPACE, NAME)
                desired = st.get("desiredNumberScheduled")
                return st if st.get("observedGeneration") == generation and desired == \
                    args.nodes and st.get("updatedNumberScheduled") == desired and \
                    st.get("numberAvailable") == desired else None
            seconds, _ = wait_for("rolling update", rolled, args.timeout)
            timings[f"image patched -> {args.nodes} pods updated and available "
                    "(maxUnavailable 10%)"] = seconds
            sample(f"after a rolling update of {args.nodes} pods", operator,
                   java_home, figures, {"hwm_before_rollout_mib": hwm_before})

        # 5: restart with the NodeDaemon present and a new generation to observe.
        operator.stop()
        kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "merge", "-p",
                json.dumps({"spec": {"minReadySeconds": 1}}))
        generation, _ = status(NAMESPACE, NAME)
        operator = Operator(state, "warm", args.jvm_arg)
        started = operator.wait_started(120)
        seconds, _ = wait_for(
            "first reconcile",
            lambda: status(NAMESPACE, NAME)[1].get("observedGeneration") == generation,
            args.timeout, interval=0.1)
        timings[f"process start -> operator started (1 NodeDaemon, {args.nodes} pods)"] = started
        timings["process start -> first reconcile done (observedGeneration set)"] = \
            time.monotonic() - operator.started_at
        log_excerpts += operator.log_lines("started in", "NodeDaemon operator started")

        # 6: more nodes.
        if args.more_nodes > 0:
            total = args.nodes + args.more_nodes
            t = time.monotonic()
            # add-nodes gives up waiting for Ready nodes after a while on a loaded machine; kwok
            # goes on making them Ready, and the wait below covers the rest.
            run(cluster, "add-nodes", "--name", CLUSTER, "--count", str(args.more_nodes),
                "--prefix", "more-", check=False)
            log(f"{args.more_nodes} nodes added in {time.monotonic() - t:.1f}s")
            seconds, _ = wait_for("placement on added nodes", all_ready(total), args.timeout)
            timings[f"{args.more_nodes} nodes added -> {total} Ready pods"] = \
                time.monotonic() - t
            sample(f"1 NodeDaemon on {total} nodes, all Ready", operator, java_home,
                   figures)
        complete = True
    except SystemExit as failure:
        complete = False
        log(f"stopped early: {failure}")
    finally:
        if operator:
            operator.stop()
        # Keep the operator logs: the cluster's state directory goes with `down`.
        os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
        for name in os.listdir(os.path.join(state, "logs")):
            if name.startswith("operator-"):
                subprocess.run(["cp", os.path.join(state, "logs", name),
                                os.path.join(ROOT, "target/bench", name)])
        if not args.keep:
            run(cluster, "down", "--name", CLUSTER, check=False)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, {platform.machine()}"
    java = subprocess.run([os.path.join(java_home, "bin/java"), "-version"],
                          capture_output=True, text=True).stderr.splitlines()[0]
    command = "bench/startup_memory.py --nodes {} --more-nodes {}{}{}".format(
        args.nodes, args.more_nodes, "".join(f" --jvm-arg={a}" for a in args.jvm_arg),
        " --no-rollout" if args.no_rollout else "")
    with open(os.path.join(ROOT, "bench/results/startup-memory.md"), "a") as out:
        out.write(f"\n## {date}: {machine}, {java}, JVM args: "
                  f"{' '.join(args.jvm_arg) or 'none (JVM defaults)'}\n\n"
                  f"Command: `{command}` (after `./mvnw package -DskipTests`)\n\n"
                  + ("" if complete else "**Stopped early**; the steps below are those that ran.\n\n")
                  +
                  "| step | seconds |\n|---|---|\n")
        for step, seconds in timings.items():
            out.write(f"| {step} | {seconds:.1f} |\n")
        out.write("\n| state | VmRSS MiB | VmHWM MiB | heap used MiB |\n|---|---|---|---|\n")
        for row in figures:
            out.write(f"| {row['state']} | {row['rss_mib']} | {row['hwm_mib']} "
                      f"| {row['heap_used_mib']} |\n")
        out.write("\nOperator log lines:\n\n```\n" + "\n".join(log_excerpts) + "\n```\n")
    print(json.dumps({"timings": timings, "memory": figures}, indent=1))
    if not complete:
        sys.exit(1)


if __name__ == "__main__":
    main()
