#!/usr/bin/env python3
"""Where the operator's time and bytes go: one NodeDaemon placed and rolled on --nodes kwok nodes
with Java Flight Recorder and Native Memory Tracking on (a profile, not a benchmark: the
recording itself costs a few percent).

    bench/profile.py [--nodes 1000] [--jvm-arg=-XX:+UseSerialGC ...]

Prints, and appends to bench/results/profile.md: native memory by JVM area (the RSS split:
heap, class metadata, code, threads, GC, ...) idle and after the rollout, the live heap by class
after a full GC, the thread count, and from the JFR recording the hottest methods and the
allocation by class during placement and rollout. The recording stays in target/bench/ for
`jfr view` or JDK Mission Control. Loopback only; every wait is bounded by --timeout.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, Cluster, Operator, header, kubectl, log, require_jar, run  # noqa: E402
from startup_memory import NAME, NAMESPACE, all_ready, nodedaemon, status, wait_for  # noqa: E402

CLUSTER = "bench-profile"


def jcmd(java_home, pid, *command):
    return subprocess.run([os.path.join(java_home, "bin/jcmd"), str(pid), *command],
                          capture_output=True, text=True, timeout=120).stdout


def nmt_summary(text):
    """The 'committed' figure of each NMT category, MiB, plus the total."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Total:") or (line.startswith("-") and "(reserved=" in line):
            name = line.split("(")[0].strip("- ").strip() or "Total"
            committed = line.split("committed=")[1].split("KB")[0]
            rows.append((name.rstrip(":").strip() or "Total", round(int(committed) / 1024)))
    return rows


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return round(int(line.split()[1]) / 1024)


def jfr_view(java_home, recording, view, lines=25):
    out = subprocess.run([os.path.join(java_home, "bin/jfr"), "view", "--width", "160", view,
                          recording], capture_output=True, text=True, timeout=300).stdout
    return out.splitlines()[:lines]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--jvm-arg", action="append", default=[])
    parser.add_argument("--settle", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    require_jar()
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
    recording = os.path.join(ROOT, "target/bench/profile.jfr")
    cluster = Cluster(CLUSTER, args.nodes, daemonset_controller=False)
    sections = []
    try:
        kubectl("create", "namespace", NAMESPACE)
        operator = Operator(cluster, "profile", [
            "-XX:NativeMemoryTracking=summary",
            f"-XX:StartFlightRecording=filename={recording},settings=profile,dumponexit=true",
            *args.jvm_arg])
        try:
            started = operator.wait_started()
            time.sleep(args.settle)
            idle = jcmd(java_home, operator.pid, "VM.native_memory", "summary")
            idle_rss = rss(operator.pid)
            kubectl("apply", "-n", NAMESPACE, "-f", "-",
                    stdin=json.dumps(nodedaemon("registry.example/bench-agent:1")))
            placed, _ = wait_for("placement", all_ready(args.nodes), args.timeout)
            kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "json", "-p",
                    json.dumps([{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                                 "value": "registry.example/bench-agent:2"}]))

            def rolled():
                generation, st = status(NAMESPACE, NAME)
                return (st.get("observedGeneration") == generation
                        and st.get("updatedNumberScheduled") == args.nodes
                        and st.get("numberAvailable") == args.nodes)
            rolled_s, _ = wait_for("rolling update", rolled, args.timeout)
            time.sleep(args.settle)
            loaded = jcmd(java_home, operator.pid, "VM.native_memory", "summary")
            loaded_rss = rss(operator.pid)
            histogram = jcmd(java_home, operator.pid, "GC.class_histogram").splitlines()[:22]
            after_gc = jcmd(java_home, operator.pid, "GC.heap_info")
            threads = len(os.listdir(f"/proc/{operator.pid}/task"))
        finally:
            operator.stop()
    finally:
        cluster.down()

    idle_rows, loaded_rows = dict(nmt_summary(idle)), nmt_summary(loaded)
    sections.append(f"Started in {started:.1f} s; {args.nodes} pods Ready {placed:.1f} s after "
                    f"the apply; rolled in {rolled_s:.1f} s; {threads} threads at the end.\n")
    sections.append(f"VmRSS: idle {idle_rss} MiB, after the rollout {loaded_rss} MiB.\n")
    sections.append("| NMT category (committed) | idle MiB | after rollout MiB |\n|---|---|---|")
    sections.append("\n".join(f"| {name} | {idle_rows.get(name, '-')} | {mib} |"
                              for name, mib in loaded_rows if mib > 0))
    sections.append("\nLive heap after a full GC (GC.class_histogram, top 20):\n\n```\n"
                    + "\n".join(histogram) + "\n```\n")
    sections.append("GC.heap_info after it:\n\n```\n" + after_gc.strip() + "\n```\n")
    for view in ("hot-methods", "allocation-by-class", "gc"):
        sections.append(f"`jfr view {view}` (whole run):\n\n```\n"
                        + "\n".join(jfr_view(java_home, recording, view)) + "\n```\n")
    text = (header(f"profile, {args.nodes} kwok nodes, JVM args: "
                   f"{' '.join(args.jvm_arg) or 'those of hack/operator'}") + "\n"
            f"Command: `bench/profile.py --nodes {args.nodes}"
            f"{''.join(' --jvm-arg=' + a for a in args.jvm_arg)}`\n\n" + "\n".join(sections))
    with open(os.path.join(ROOT, "bench/results/profile.md"), "a") as out:
        out.write(text)
    print(text)
    log(f"recording: {recording}")


if __name__ == "__main__":
    main()
