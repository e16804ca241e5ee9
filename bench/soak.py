#!/usr/bin/env python3
"""Idle memory soak of the packaged operator with the JVM settings the Helm chart ships (a
benchmark: it prints figures and asserts nothing).

    bench/soak.py [--nodes 5000] [--nodedaemons 2] [--minutes 30] [--interval 30]

Steps, each bounded by --timeout:
 1. hack/cluster up with --nodes kwok nodes (no built-in DaemonSet controller).
 2. The operator from a private copy of target/quarkus-app (a rebuild during the soak does not
    touch it), started by hack/operator with helm/nodedaemon/files/jvm-options and
    MALLOC_ARENA_MAX=2 as the chart sets them, and without the local class-data archive (the
    chart's image has only the JDK's own).
 3. --nodedaemons NodeDaemons on every node (nodes x nodedaemons pods), each waited for until all
    its pods are Ready.
 4. Idle for --minutes: VmRSS from /proc/<pid>/status and the heap in use (jcmd GC.heap_info)
    every --interval seconds. Nothing changes in the cluster meanwhile (kwok renews node leases,
    which the operator does not watch).
 5. The samples as a table, and a summary: first, min, max, last and the least-squares slope in
    MiB per hour, for RSS and heap; OutOfMemoryErrors and restarts in the operator's log.
Stops by itself: the operator and the cluster are stopped at the end (--keep leaves the
cluster). Results are appended to bench/results/soak.md.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import startup_memory  # noqa: E402
from benchlib import (ROOT, Cluster, Operator, header, kubectl, log, record,  # noqa: E402
                      require_jar, run)

CLUSTER = "bench-soak"


def slope_per_hour(points):
    """Least-squares slope of (seconds, MiB) points, in MiB per hour (None under two points)."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


def summary_row(name, points):
    values = [v for _, v in points if v is not None]
    if not values:
        return f"| {name} | - | - | - | - | - |"
    slope = slope_per_hour([(t, v) for t, v in points if v is not None])
    return (f"| {name} | {values[0]} | {min(values)} | {max(values)} | {values[-1]} | "
            + (f"{slope:+.1f}" if slope is not None else "-") + " |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--nodedaemons", type=int, default=2,
                        help="NodeDaemons on every node (pods = nodes x nodedaemons)")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--interval", type=float, default=30, help="seconds between samples")
    parser.add_argument("--settle", type=int, default=30,
                        help="seconds idle after placement before the first sample")
    parser.add_argument("--timeout", type=int, default=1800,
                        help="bound of each placement wait, seconds")
    parser.add_argument("--jvm-arg", action="append", default=[],
                        help="JVM argument after the chart's options, as the chart's "
                             "jvm.extraOptions (repeatable), e.g. --jvm-arg=-Xmx256m")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--reuse", metavar="CLUSTER",
                        help="run on this cluster, already up with --nodes nodes (e.g. left by "
                             "bench/start_phases.py --keep), and leave it up")
    args = parser.parse_args()
    # A stop from outside (SIGTERM) still stops the operator and the cluster (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated (SIGTERM)"))

    require_jar()
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    app = tempfile.mkdtemp(prefix="nodedaemon-soak-")
    shutil.copytree(os.path.join(ROOT, "target/quarkus-app"), os.path.join(app, "quarkus-app"),
                    ignore=shutil.ignore_patterns("*.jsa", "*.aot"))
    started_utc = time.strftime("%H:%M UTC", time.gmtime())
    head = header(f"{args.nodes} kwok nodes, {args.nodedaemons} NodeDaemons "
                  f"({args.nodes * args.nodedaemons} pods), {args.minutes:g} min idle")
    cluster = (Cluster.attach(args.reuse) if args.reuse
               else Cluster(CLUSTER, args.nodes, daemonset_controller=False))
    operator = None
    samples, timings, notes = [], {}, []
    try:
        if not args.reuse:
            kubectl("create", "namespace", startup_memory.NAMESPACE)
        operator = Operator(cluster, "soak", args.jvm_arg, env={
            "NODEDAEMON_APP_DIR": os.path.join(app, "quarkus-app"), "NODEDAEMON_CDS": "false",
            "NODEDAEMON_MALLOC_ARENA_MAX": "2"})
        timings["process start -> operator started"] = operator.wait_started(300)
        names = [startup_memory.NAME] + [f"{startup_memory.NAME}-{i}"
                                         for i in range(1, args.nodedaemons)]
        t = time.monotonic()
        for name in names:
            kubectl("apply", "-n", startup_memory.NAMESPACE, "-f", "-", stdin=json.dumps(
                startup_memory.nodedaemon("registry.example/bench-agent:1", name)))
        for name in names:
            startup_memory.wait_for(f"placement of {name}",
                                    startup_memory.all_ready(args.nodes, name), args.timeout, 2)
            operator.check_alive()
        timings[f"{len(names)} NodeDaemons applied -> {args.nodes * len(names)} Ready pods"] = \
            time.monotonic() - t
        log(f"placement done in {time.monotonic() - t:.0f}s; idle {args.settle}s, then "
            f"{args.minutes:g} min of samples")
        time.sleep(args.settle)  # idle on purpose: the soak starts after placement's garbage
        soak_start = time.monotonic()
        deadline = soak_start + args.minutes * 60
        while True:
            operator.check_alive()
            mem = startup_memory.memory(operator.pid)
            heap = startup_memory.heap_used(operator.pid, java_home)
            elapsed = time.monotonic() - soak_start
            samples.append((elapsed, mem["VmRSS"], mem["VmHWM"], heap))
            log(f"soak {elapsed / 60:5.1f} min: RSS {mem['VmRSS']} MiB, HWM {mem['VmHWM']} MiB, "
                f"heap used {heap} MiB")
            if elapsed >= args.minutes * 60:
                break
            time.sleep(max(0.0, min(args.interval, deadline - time.monotonic())))
    except SystemExit as failure:
        notes.append(f"**Stopped early**: {failure}")
        log(f"stopped early: {failure}")
    finally:
        log_text = operator.log_text() if operator else ""
        if operator:
            operator.stop()
        os.makedirs(os.path.join(ROOT, "target/bench"), exist_ok=True)
        if operator:
            shutil.copy(operator.log_path, os.path.join(ROOT, "target/bench/operator-soak.log"))
        if not args.keep and not args.reuse:
            cluster.down()
        shutil.rmtree(app, ignore_errors=True)

    options = [line.strip() for line in open(os.path.join(
        ROOT, "helm/nodedaemon/files/jvm-options")) if line.strip() and not line.startswith("#")]
    ooms = log_text.count("OutOfMemoryError")
    lines = [head,
             f"Command: `bench/soak.py --nodes {args.nodes} --nodedaemons {args.nodedaemons} "
             f"--minutes {args.minutes:g} --interval {args.interval:g}"
             + (f" --reuse {args.reuse}" if args.reuse else "")
             + "".join(f" --jvm-arg={a}" for a in args.jvm_arg) + f"` (started {started_utc})",
             "",
             f"JVM options (the chart's files/jvm-options"
             + (f", then jvm.extraOptions {' '.join(args.jvm_arg)}" if args.jvm_arg else "")
             + f"): `{' '.join(options)}`, "
             "MALLOC_ARENA_MAX=2, no application class-data archive.", ""]
    lines += notes + ([""] if notes else [])
    lines += ["| step | seconds |", "|---|---|"]
    lines += [f"| {step} | {seconds:.1f} |" for step, seconds in timings.items()]
    lines += ["", f"Idle soak, a sample every {args.interval:g} s ({len(samples)} samples; "
              "slope by least squares over all samples):", "",
              "| MiB | first | min | max | last | slope MiB/h |", "|---|---|---|---|---|---|",
              summary_row("VmRSS", [(s[0], s[1]) for s in samples]),
              summary_row("heap used", [(s[0], s[3]) for s in samples]),
              "", f"VmHWM at the end: {samples[-1][2] if samples else '-'} MiB; "
              f"OutOfMemoryError in the operator's log: {ooms}.", "",
              "<details><summary>every sample</summary>", "",
              "| minute | VmRSS MiB | VmHWM MiB | heap used MiB |", "|---|---|---|---|"]
    lines += [f"| {s[0] / 60:.1f} | {s[1]} | {s[2]} | {s[3]} |" for s in samples]
    lines += ["", "</details>", ""]
    record("soak.md", "\n".join(lines))
    if notes or not samples:
        sys.exit(1)


if __name__ == "__main__":
    main()
