#!/usr/bin/env python3
"""Create kwok fake nodes for hack/cluster, fast.

POSTs the nodes straight to kube-apiserver over a few keep-alive connections
(about twice as fast as `kubectl create -f` on a 2-core machine, where
kubectl's client-side work competes with the apiserver for CPU).

Nodes are created already Ready (status included), with the annotation
kwok.x-k8s.io/node=fake so that kwok manages them from then on (leases,
readiness stages). Standard library only.

usage: create-nodes.py --server https://127.0.0.1:PORT --pki DIR --prefix P
         --first N --count N [--labels k=v,...] [--taints k[=v]:Effect,...]
         [--zones z1,z2] [--kubelet-version V] [--kwok-version V]
"""
import argparse
import datetime
import http.client
import json
import ssl
import sys
import threading
import time
import urllib.parse

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def parse_list(text):
    return [item for item in (text or "").split(",") if item]


def parse_labels(text):
    labels = {}
    for item in parse_list(text):
        if "=" not in item:
            sys.exit(f"label '{item}' is not key=value")
        key, value = item.split("=", 1)
        labels[key] = value
    return labels


def parse_taints(text):
    taints = []
    for item in parse_list(text):
        if ":" not in item:
            sys.exit(f"taint '{item}' is not key[=value]:Effect")
        key, effect = item.rsplit(":", 1)
        if effect not in EFFECTS:
            sys.exit(f"bad taint effect in '{item}' (one of {', '.join(EFFECTS)})")
        key, _, value = key.partition("=")
        taint = {"key": key, "effect": effect}
        if value:
            taint["value"] = value
        taints.append(taint)
    return taints


def node(args, index, labels, taints, zones, now):
    name = f"{args.prefix}{index}"
    n = index + 1
    ip = f"172.{16 + n // 65536 % 16}.{n // 256 % 256}.{n % 256}"
    resources = {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "200Gi"}

    def condition(ctype, status, reason, message):
        return {"type": ctype, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": now, "lastTransitionTime": now}

    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "type": "kwok",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                # set by kube-controller-manager otherwise (one patch per node)
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": zones[index % len(zones)],
                **labels,
            },
        },
        "spec": {"taints": taints} if taints else {},
        "status": {
            "allocatable": resources,
            "capacity": resources,
            "conditions": [
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                          "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                          "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID",
                          "kubelet has sufficient PID available"),
                condition("NetworkUnavailable", "False", "RouteCreated",
                          "RouteController created a route"),
            ],
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "architecture": "amd64",
                "operatingSystem": "linux",
                "kubeletVersion": args.kubelet_version,
                "kubeProxyVersion": args.kubelet_version,
                "containerRuntimeVersion": f"kwok://{args.kwok_version}",
                "kernelVersion": f"kwok-{args.kwok_version}",
                "osImage": "kwok fake node",
            },
            "phase": "Running",
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--pki", required=True, help="dir with ca.crt, admin.crt, admin.key")
    parser.add_argument("--prefix", default="node-")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--labels", default="")
    parser.add_argument("--taints", default="")
    parser.add_argument("--zones", default="zone-a,zone-b,zone-c")
    parser.add_argument("--kubelet-version", default="v0.0.0")
    parser.add_argument("--kwok-version", default="v0.0.0")
    parser.add_argument("--parallel", type=int, default=6)
    args = parser.parse_args()

    labels = parse_labels(args.labels)
    taints = parse_taints(args.taints)
    zones = parse_list(args.zones) or ["zone-a"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = urllib.parse.urlparse(args.server)
    ctx = ssl.create_default_context(cafile=f"{args.pki}/ca.crt")
    ctx.load_cert_chain(f"{args.pki}/admin.crt", f"{args.pki}/admin.key")

    indexes = iter(range(args.first, args.first + args.count))
    lock = threading.Lock()
    errors = []

    def worker():
        conn = None
        while not errors:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            body = json.dumps(node(args, index, labels, taints, zones, now))
            for attempt in range(10):
                try:
                    if conn is None:
                        conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx,
                                                           timeout=60)
                    conn.request("POST", "/api/v1/nodes?fieldManager=hack-cluster", body,
                                 {"Content-Type": "application/json"})
                    resp = conn.getresponse()
                    text = resp.read()
                except (OSError, http.client.HTTPException):
                    conn = None
                    time.sleep(0.2 * (attempt + 1))
                    continue
                if resp.status == 201:
                    break
                if resp.status in (429, 500, 503, 504):
                    time.sleep(0.2 * (attempt + 1))
                    continue
                errors.append(f"{args.prefix}{index}: HTTP {resp.status}: "
                              f"{json.loads(text).get('message', text[:200])}")
                return
            else:
                errors.append(f"{args.prefix}{index}: gave up after retries")
                return

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.parallel))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit("creating nodes failed: " + "; ".join(errors[:5]))


if __name__ == "__main__":
    main()
