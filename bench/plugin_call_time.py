#!/usr/bin/env python3
"""Wall time of one `kubectl nodedaemon` call, per launcher and command.

Each launcher (LABEL=PATH, an executable kubectl-nodedaemon) runs each command --runs times, the
launchers taking turns call by call (so the machine's changing load falls on all alike), after
one unmeasured warm-up call (which also lets a launcher that writes its class-data archive on first
use do so); the table gives the median, min and max wall seconds of the process, from fork to exit,
and the median CPU seconds (user + system, the launcher and all it starts), which a loaded machine
changes less than wall time.
The `get` rows read a real NodeDaemon from a hack/cluster control plane with the CRD applied (no
operator is needed to read it). Results are appended to bench/results/plugin-call-time.md.

  ./mvnw package -DskipTests
  bench/plugin_call_time.py --launcher dev=bin/kubectl-nodedaemon \\
      --launcher dist=target/dist/kubectl-nodedaemon-linux-amd64/kubectl-nodedaemon
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ROOT, log  # noqa: E402

COMMANDS = [
    ["version"],
    ["--help"],
    ["-n", "default", "get", "fluentd-elasticsearch"],
]


def call(launcher, args, env):
    """Wall seconds, and CPU seconds (user + system) of the process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run([launcher, *args], capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{launcher} {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--launcher", action="append", required=True, help="LABEL=PATH")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--note", default="", help="a line printed under the header")
    args = parser.parse_args()

    # The header now, so its load average is the one at the start.
    text = benchlib.header(f"{args.runs} calls per row after one warm-up, launchers interleaved")
    cluster = benchlib.Cluster("plugin-call-time", 3, daemonset_controller=False)
    try:
        benchlib.kubectl("apply", "-f", os.path.join(ROOT, "helm/nodedaemon/files/crds"))
        # kubectl wait fails until the CRD has any status condition at all: ask again, bounded.
        deadline = time.monotonic() + 60
        while subprocess.run(["kubectl", "wait", "--for=condition=Established", "--timeout=10s",
                              "crd/nodedaemons.nodedaemon.dev"],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                sys.exit("the NodeDaemon CRD was not Established within 60 s")
            time.sleep(0.5)
        benchlib.kubectl("apply", "-f", os.path.join(ROOT, "config/samples/fluentd-elasticsearch.yaml"))
        # No java on PATH and no JAVA_HOME: a launcher must bring or find its own runtime.
        env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
        launchers = []
        for spec in args.launcher:
            label, path = spec.split("=", 1)
            launchers.append((label, os.path.abspath(path)))
        for _, launcher in launchers:
            for command in COMMANDS:
                call(launcher, command, env)
        # Interleaved: round after round, each launcher runs each command once, so a change in the
        # machine's load (shared by other builds) falls on every launcher alike.
        calls = {(label, i): [] for label, _ in launchers for i in range(len(COMMANDS))}
        for _ in range(args.runs):
            for label, launcher in launchers:
                for i, command in enumerate(COMMANDS):
                    calls[(label, i)].append(call(launcher, command, env))
        rows = []
        for label, _ in launchers:
            for i, command in enumerate(COMMANDS):
                times = [wall for wall, _ in calls[(label, i)]]
                cpu = statistics.median([c for _, c in calls[(label, i)]])
                row = (label, " ".join(command), statistics.median(times), min(times), max(times),
                       cpu)
                log(f"{row[0]} {row[1]}: median {row[2]:.3f}s, CPU {cpu:.2f}s")
                rows.append(row)
        end_load = benchlib.load()
    finally:
        if not args.keep:
            benchlib.run(cluster.script, "down", "--name", cluster.name, check=False)

    text += f"\nLoad average at the end: {end_load} (1/5/15 min).\n"
    if args.note:
        text += f"\n{args.note}\n"
    text += ("\n| launcher | command | median wall s | min wall s | max wall s | median CPU s |\n"
             "|---|---|---|---|---|---|\n")
    for label, command, median, low, high, cpu in rows:
        text += (f"| {label} | `{command}` | {median:.3f} | {low:.3f} | {high:.3f} |"
                 f" {cpu:.2f} |\n")
    print(text)
    with open(os.path.join(ROOT, "bench/results/plugin-call-time.md"), "a") as out:
        out.write(text)


if __name__ == "__main__":
    main()
