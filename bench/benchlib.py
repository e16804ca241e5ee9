"""What every benchmark shares: commands, the local cluster, the packaged operator, the audit log,
and the header of a results section (machine, load average, commit).

Everything here targets 127.0.0.1 (hack/cluster binds loopback only) and every wait is bounded.
"""
import datetime
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Seconds to let a controller's trailing writes (status, events) land before the audit log is read.
TRAILING_WRITES_SECONDS = 3
JAR = os.path.join(ROOT, "target/quarkus-app/quarkus-run.jar")


def run(*args, stdin=None, check=True):
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def kubectl(*args, stdin=None):
    return run("kubectl", *args, stdin=stdin)


def log(message):
    print(f"{datetime.datetime.now(datetime.timezone.utc):%H:%M:%S} {message}", file=sys.stderr)


def require_jar():
    if not os.path.exists(JAR):
        sys.exit("build the operator first: ./mvnw package -DskipTests")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def machine():
    """Cores, architecture, CPU model and memory, e.g. '2 cores x86_64 (AMD EPYC ...), 24 GiB'."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    return (f"{os.cpu_count()} cores {platform.machine()}" + (f" ({model})" if model else "")
            + (f", {mem:.0f} GiB" if mem else ""))


def load():
    """The 1, 5 and 15 minute load averages, as 'a / b / c'."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def commit():
    """The short commit, with '+dirty' when the work tree has changes."""
    sha = run("git", "-C", ROOT, "rev-parse", "--short", "HEAD", check=False).strip() or "?"
    dirty = run("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no",
                check=False).strip()
    return sha + ("+dirty" if dirty else "")


def header(title):
    """The first lines of a results section: what ran, where, how loaded, on which commit."""
    return (f"\n## {now_utc()}: {title}\n\n"
            f"Machine: {machine()}; load average {load()} (1/5/15 min) at the start; "
            f"commit {commit()}\n")


class Cluster:
    """A hack/cluster control plane, its kubectl and KUBECONFIG exported into this process."""

    def __init__(self, name, nodes, daemonset_controller=True):
        self.name = name
        self.nodes = nodes
        self.script = os.path.join(ROOT, "hack/cluster")
        run(self.script, "down", "--name", name, check=False)
        started = time.monotonic()
        args = [self.script, "up", "--name", name, "--nodes", str(nodes)]
        if daemonset_controller:
            args.append("--daemonset-controller")
        env_lines = run(*args)
        self.up_seconds = time.monotonic() - started
        log(f"cluster {name} with {nodes} nodes up in {self.up_seconds:.1f}s")
        for line in env_lines.splitlines():
            key, value = line.removeprefix("export ").split("=", 1)
            os.environ[key] = value.replace("$PATH", os.environ["PATH"])
        self.state = os.path.dirname(os.environ["KUBECONFIG"])
        self.audit_log = os.path.join(self.state, "audit.log")

    @classmethod
    def attach(cls, name):
        """A cluster that is already up (left by an earlier run's --keep), exported likewise."""
        cluster = cls.__new__(cls)
        cluster.name = name
        cluster.script = os.path.join(ROOT, "hack/cluster")
        for line in run(cluster.script, "env", "--name", name).splitlines():
            key, value = line.removeprefix("export ").split("=", 1)
            os.environ[key] = value.replace("$PATH", os.environ["PATH"])
        cluster.nodes = len(run("kubectl", "get", "nodes", "-o", "name").split())
        cluster.up_seconds = 0
        cluster.state = os.path.dirname(os.environ["KUBECONFIG"])
        cluster.audit_log = os.path.join(cluster.state, "audit.log")
        return cluster

    def add_nodes(self, count, prefix):
        # add-nodes gives up waiting for Ready nodes after a while on a loaded machine; kwok goes
        # on making them Ready, so callers wait for what they need themselves.
        run(self.script, "add-nodes", "--name", self.name, "--count", str(count),
            "--prefix", prefix, check=False)

    def down(self):
        run(self.script, "down", "--name", self.name, check=False)


class Operator:
    """The packaged operator run by hack/operator, logging into the cluster's state directory."""

    def __init__(self, cluster, label="operator", jvm_args=(), env=None):
        self.log_path = os.path.join(cluster.state, f"logs/operator-{label}.log")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [os.path.join(ROOT, "hack/operator"), "-Dquarkus.http.port=0", *jvm_args],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})})

    @property
    def pid(self):
        return self.process.pid

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def log_lines(self, *needles):
        return [line.strip() for line in self.log_text().splitlines()
                if any(needle in line for needle in needles)]

    def wait_started(self, timeout=180):
        """Seconds from process start to 'NodeDaemon operator started' (the CRD is then served)."""
        deadline = time.monotonic() + timeout
        while "NodeDaemon operator started" not in self.log_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                sys.exit("operator did not start; see " + self.log_path)
            time.sleep(0.05)
        return time.monotonic() - self.started_at

    def check_alive(self):
        if self.process.poll() is not None:
            sys.exit(f"operator exited ({self.process.returncode}); see {self.log_path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


COMPONENTS = ("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok")


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(cluster, operator=None):
    """CPU seconds used so far by each control-plane process of `cluster` and the operator."""
    snapshot = {}
    for name in COMPONENTS:
        try:
            with open(os.path.join(cluster.state, "pids", f"{name}.pid")) as f:
                snapshot[name] = cpu_seconds(int(f.read().strip()))
        except (OSError, ValueError):
            pass
    if operator is not None:
        snapshot["operator"] = cpu_seconds(operator.pid)
    return snapshot


def cpu_used(before, after):
    """CPU seconds per process between two snapshots, largest first."""
    used = {name: round(after[name] - before.get(name, 0.0), 1) for name in after}
    return dict(sorted(used.items(), key=lambda item: -item[1]))


def record(result_file, text):
    """Appends one run's text to bench/results/RESULT_FILE (the results are kept in the
    repository, newest last) and prints it."""
    with open(os.path.join(ROOT, "bench/results", result_file), "a") as out:
        out.write(text)
    print(text)


def audit_writes(audit_log, offset, is_actor):
    """API writes by one actor since a byte offset of the audit log, by verb and resource."""
    counts = {}
    with open(audit_log) as f:
        f.seek(offset)
        for line in f:
            event = json.loads(line)
            if event.get("stage") != "ResponseComplete" or not is_actor(event):
                continue
            if "dryRun=" in event.get("requestURI", ""):
                continue  # a server-side dry run (NodeDaemon's template check) writes nothing
            ref = event.get("objectRef", {})
            key = f"{event['verb']} {ref.get('resource', '?')}" + (
                f"/{ref['subresource']}" if ref.get("subresource") else "")
            counts[key] = counts.get(key, 0) + 1
    return counts


def builtin_actor(namespace):
    """The built-in DaemonSet controller's requests in a namespace (its user). The controller
    manager's other controllers write each new namespace's kube-root-ca.crt ConfigMap and default
    ServiceAccount under the same user: those are not the DaemonSet controller's."""
    return lambda e: (e["user"]["username"] == "system:kube-controller-manager"
                      and e.get("objectRef", {}).get("namespace") == namespace
                      and e.get("objectRef", {}).get("resource") not in (
                          "configmaps", "serviceaccounts"))


def nodedaemon_actor(namespace):
    """NodeDaemon's requests in a namespace (the operator's fabric8 user agent)."""
    return lambda e: (e.get("userAgent", "").startswith("fabric8")
                      and e.get("objectRef", {}).get("namespace") == namespace)


def workloads(template, name="bench-agent", update_strategy=None):
    """The same workload as a DaemonSet and as a NodeDaemon (only apiVersion and kind differ)."""
    spec = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if update_strategy:
        spec["updateStrategy"] = update_strategy
    daemonset = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
                 "spec": spec}
    nodedaemon = dict(daemonset, apiVersion="nodedaemon.dev/v1alpha1", kind="NodeDaemon")
    return daemonset, nodedaemon


def delete_namespace(namespace, wait=False, timeout=120):
    run("kubectl", "delete", "namespace", namespace, "--ignore-not-found",
        f"--wait={'true' if wait else 'false'}", f"--timeout={timeout}s", check=False)
