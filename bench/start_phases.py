#!/usr/bin/env python3
"""Where the operator's start goes, on an idle cluster: process start to first reconcile, split
into phases from the operator's log and the API server's audit log (a benchmark: it prints
figures and asserts nothing).

    bench/start_phases.py [--nodes 1000] [--restarts 3] [--jvm-arg=-X...] [--label TEXT]

Steps, each bounded by --timeout:
 1. hack/cluster up with --nodes kwok nodes; one NodeDaemon placed on every node by an operator
    that is then stopped (so the cluster holds nodes and as many daemon pods, and is idle).
 2. --restarts times: the NodeDaemon's generation bumped while no operator runs, the Lease
    deleted (a first start: no earlier leader to wait out), then the packaged operator started
    as the Helm chart runs it: leader election on, the CRD not installed by the operator, its
    own service account (cluster-admin here), so that the audit log records its reads too
    (hack/lib/audit-policy.yaml logs service accounts' reads). Measured, in seconds since the
    process started:
      - first API request (audit): the JVM and Quarkus booted up to the client's first call;
      - Lease acquired (audit: the create or update of the Lease that made it leader);
      - each informer's LIST received and completed (audit: nodes, pods, controllerrevisions,
        nodedaemons), so paging shows as several LISTs;
      - "NodeDaemon operator started" (log: the SDK's start returned, caches synced);
      - readiness probe answers 200 (/q/health/ready, polled every 50 ms);
      - first status write of the NodeDaemon (audit: the patch of nodedaemons/status);
      - observedGeneration == generation (kubectl, polled every 100 ms): the first reconcile;
      - CPU seconds the process used by then (/proc/<pid>/stat).
Everything listens on 127.0.0.1; operator and cluster are stopped at the end. Results are
appended to bench/results/start-phases.md.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import startup_memory  # noqa: E402
from benchlib import (ROOT, Cluster, Operator, header, kubectl, log, record,  # noqa: E402
                      require_jar, run)

NAMESPACE = startup_memory.NAMESPACE
NAME = startup_memory.NAME
OPERATOR_NS = "nodedaemon-system"
SA = "nodedaemon-operator"
LEASE = "nodedaemon-operator"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def service_account_kubeconfig(cluster):
    """A kubeconfig for the operator's own service account (cluster-admin), beside the admin's."""
    kubectl("create", "namespace", OPERATOR_NS)
    kubectl("create", "serviceaccount", SA, "-n", OPERATOR_NS)
    kubectl("create", "clusterrolebinding", "bench-start-phases", "--clusterrole=cluster-admin",
            f"--serviceaccount={OPERATOR_NS}:{SA}")
    token = kubectl("create", "token", SA, "-n", OPERATOR_NS, "--duration=6h").strip()
    path = os.path.join(cluster.state, "operator-sa.kubeconfig")
    with open(path, "w") as f:
        f.write(kubectl("config", "view", "--raw", "--minify"))
    run("kubectl", "--kubeconfig", path, "config", "set-credentials", "sa", f"--token={token}")
    context = kubectl("--kubeconfig", path, "config", "current-context").strip()
    run("kubectl", "--kubeconfig", path, "config", "set-context", context, "--user=sa")
    return path


def audit_events(audit_log, offset, user):
    """The service account's requests since a byte offset: (verb, resource, subresource,
    received, completed, uri) with wall-clock seconds, ResponseComplete stage only."""
    events = []
    with open(audit_log) as f:
        f.seek(offset)
        for line in f:
            e = json.loads(line)
            if e.get("user", {}).get("username") != user or e.get("stage") != "ResponseComplete":
                continue
            ref = e.get("objectRef", {})
            events.append((e["verb"], ref.get("resource", "?"), ref.get("subresource", ""),
                           stamp(e["requestReceivedTimestamp"]), stamp(e["stageTimestamp"]),
                           e.get("requestURI", "")))
    return events


def stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def log_stamp(line):
    """Wall-clock seconds of a Quarkus log line ('2026-11-30 15:01:02,345 INFO ...')."""
    match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", line)
    if not match:
        return None
    local = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    return time.mktime(local.timetuple()) + int(match.group(2)) / 1000


def thread_cpu(pid, top=4):
    """The threads that used the most CPU so far: 'name 1.2 s, ...' (JIT, GC, event loop...)."""
    rows = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        rows.append(((int(fields[11]) + int(fields[12])) / CLK_TCK, re.sub(r"[-#]?\d+$", "", name)))
    by_name = {}
    for seconds, name in rows:
        by_name[name] = by_name.get(name, 0) + seconds
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in
                     sorted(by_name.items(), key=lambda kv: -kv[1])[:top])


def one_start(cluster, kubeconfig, restart, jvm_args, timeout):
    # A new generation to observe; minReadySeconds counts up across runs on a reused cluster.
    _, before = startup_memory.status(NAMESPACE, NAME)
    nd = json.loads(kubectl("get", "nodedaemon", NAME, "-n", NAMESPACE, "-o", "json"))
    kubectl("patch", "nodedaemon", NAME, "-n", NAMESPACE, "--type", "merge", "-p",
            json.dumps({"spec": {"minReadySeconds": nd["spec"].get("minReadySeconds", 0) + 1}}))
    generation, _ = startup_memory.status(NAMESPACE, NAME)
    run("kubectl", "delete", "lease", LEASE, "-n", OPERATOR_NS, "--ignore-not-found", check=False)
    offset = os.path.getsize(cluster.audit_log)
    env = {"KUBECONFIG": kubeconfig, "NODEDAEMON_CRD_INSTALL": "false",
           "NODEDAEMON_LEADER_ELECTION_ENABLED": "true",
           "NODEDAEMON_LEADER_ELECTION_LEASE_NAMESPACE": OPERATOR_NS,
           "NODEDAEMON_LEADER_ELECTION_IDENTITY": f"bench-start-{restart}"}
    wall0 = time.time()
    operator = Operator(cluster, f"start-{restart}", jvm_args, env)
    phases = {}
    cpu = None
    threads = ""
    try:
        ready_at = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            operator.check_alive()
            if ready_at is None:
                match = re.search(r"Listening on: (http://[0-9.:]+)", operator.log_text())
                if match:
                    try:
                        with urllib.request.urlopen(match.group(1) + "/q/health/ready",
                                                    timeout=1) as r:
                            if r.status == 200:
                                ready_at = time.monotonic() - operator.started_at
                    except OSError:
                        pass
            if "reconciled" not in phases:
                if startup_memory.status(NAMESPACE, NAME)[1].get("observedGeneration") == \
                        generation:
                    phases["observedGeneration set (first reconcile done)"] = \
                        time.monotonic() - operator.started_at
                    cpu = cpu_seconds(operator.pid)
                    threads = thread_cpu(operator.pid)
                    phases["reconciled"] = True
            if "cpu started" not in phases and "NodeDaemon operator started" in \
                    operator.log_text():
                phases["cpu started"] = cpu_seconds(operator.pid)
            if ready_at is not None and "reconciled" in phases:
                break
            time.sleep(0.05)
        phases.pop("reconciled", None)
        cpu_started = phases.pop("cpu started", None)
        if ready_at is not None:
            phases["readiness probe passes"] = ready_at
        time.sleep(2)  # the audit log is written asynchronously
        text = operator.log_text()
    finally:
        operator.stop()

    for line in text.splitlines():
        for needle, phase in (("NodeDaemon operator started", "log: NodeDaemon operator started"),
                              ("started in", "log: Quarkus started")):
            if needle in line and phase not in phases and log_stamp(line):
                phases[phase] = log_stamp(line) - wall0
        match = re.search(r"started in (\d+\.\d+)s", line)
        if match:
            phases["(Quarkus' own 'started in' figure)"] = float(match.group(1))

    user = f"system:serviceaccount:{OPERATOR_NS}:{SA}"
    events = audit_events(cluster.audit_log, offset, user)
    if events:
        phases["audit: first API request received"] = min(e[3] for e in events) - wall0
    for resource in ("nodes", "pods", "controllerrevisions", "nodedaemons"):
        lists = [e for e in events if e[0] == "list" and e[1] == resource]
        if lists:
            phases[f"audit: LIST {resource} received ({len(lists)} request(s))"] = \
                lists[0][3] - wall0
            phases[f"audit: LIST {resource} completed"] = max(e[4] for e in lists) - wall0
    lease = [e for e in events if e[1] == "leases" and e[0] in ("create", "update")]
    if lease:
        phases["audit: Lease acquired (first create/update completed)"] = lease[0][4] - wall0
    writes = [e for e in events if e[1] == "nodedaemons" and e[2] == "status"
              and e[0] in ("patch", "update")]
    if writes:
        phases["audit: first NodeDaemon status write completed"] = writes[0][4] - wall0
    if cpu_started is not None:
        phases["CPU seconds used by 'operator started'"] = cpu_started
    if cpu is not None:
        phases["CPU seconds used by the first reconcile"] = cpu
    log(f"start {restart}: CPU by thread at the first reconcile: {threads}")
    phases["threads"] = threads
    for phase, value in sorted(((p, v) for p, v in phases.items() if p != "threads"),
                               key=lambda kv: kv[1]):
        log(f"start {restart}: {value:6.2f}  {phase}")
    return phases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--jvm-arg", action="append", default=[],
                        help="extra JVM argument for the operator (repeatable)")
    parser.add_argument("--label", default="", help="what this run changes, for the results")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--reuse", action="store_true",
                        help="the cluster is up and placed by an earlier --keep run")
    args = parser.parse_args()

    require_jar()
    head = header(f"{args.nodes} kwok nodes, {args.nodes} daemon pods, idle"
                  + (f": {args.label}" if args.label else ""))
    name = f"bench-start-{args.nodes}"
    cluster = (Cluster.attach(name) if args.reuse
               else Cluster(name, args.nodes, daemonset_controller=False))
    runs = []
    try:
        kubeconfig = os.path.join(cluster.state, "operator-sa.kubeconfig")
        if not args.reuse:
            kubeconfig = service_account_kubeconfig(cluster)
            kubectl("create", "namespace", NAMESPACE)
            seed = Operator(cluster, "seed")
            try:
                seed.wait_started(300)
                kubectl("apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(
                    startup_memory.nodedaemon("registry.example/bench-agent:1")))
                seconds, _ = startup_memory.wait_for(
                    "placement", startup_memory.all_ready(args.nodes), args.timeout, 2)
                log(f"{args.nodes} pods Ready in {seconds:.0f}s")
            finally:
                seed.stop()
        for restart in range(args.restarts):
            runs.append(one_start(cluster, kubeconfig, restart, args.jvm_arg, args.timeout))
    finally:
        if not args.keep:
            cluster.down()

    threads = [r.pop("threads", "") for r in runs]
    phases = []
    for r in runs:
        for phase in r:
            if phase not in phases:
                phases.append(phase)
    order = sorted(phases, key=lambda p: statistics.median(r[p] for r in runs if p in r))
    java_home = run(os.path.join(ROOT, ".mvn/select-jdk")).strip()
    java = subprocess.run([os.path.join(java_home, "bin/java"), "-version"],
                          capture_output=True, text=True).stderr.splitlines()[0]
    options = " ".join(args.jvm_arg)
    lines = [head,
             f"Command: `bench/start_phases.py --nodes {args.nodes} --restarts {args.restarts}"
             + "".join(f" --jvm-arg={a}" for a in args.jvm_arg) + "`",
             "", f"Java: {java}; JVM options: hack/operator's (the chart's files/jvm-options"
             + (f", then {options}" if options else "") + "); leader election on, fresh Lease.",
             "", "Seconds since process start (median of the starts, then each start):", "",
             "| phase | median | " + " | ".join(f"start {i + 1}" for i in range(len(runs)))
             + " |", "|---|---|" + "---|" * len(runs)]
    for phase in order:
        values = [r.get(phase) for r in runs]
        present = [v for v in values if v is not None]
        lines.append(f"| {phase} | {statistics.median(present):.2f} | "
                     + " | ".join(f"{v:.2f}" if v is not None else "-" for v in values) + " |")
    lines += ["", "CPU seconds by thread at the first reconcile (the top four):", ""]
    lines += [f"- start {i + 1}: {t}" for i, t in enumerate(threads)]
    lines.append("")
    record("start-phases.md", "\n".join(lines))


if __name__ == "__main__":
    main()
