#!/usr/bin/env python3
"""Where a rolling update's time goes, from the audit log of a hack/cluster control plane.

    bench/timeline.py AUDIT_LOG NAMESPACE [--from-offset BYTES]

Reads every write in NAMESPACE after the last patch of its DaemonSet or NodeDaemon by a user
(the template change that starts the update; --from-offset skips earlier parts of the log) and
orders them by the API server's receive time. Per pod: created (by the controller), bound (by the
scheduler), last status patch (kwok marking it Ready after the ready delay), deleted. It prints:

  - create -> bind -> ready latencies of the new pods (the scheduler's and kwok's share);
  - reaction: the controller's next write that uses budget freed by a pod turning ready.
    With a budget of B, the (B+i)-th delete (maxUnavailable) or create (maxSurge) is the write the
    i-th ready pod allowed; reaction_i = its time - the i-th ready time. This is the latency the
    controller adds per slot (event delivery, reconcile, its own rate limits), independent of
    how it batches;
  - delete -> create of the replacement on the same node (maxUnavailable only; names differ, so
    matched by order);
  - the whole update's span: first write to last ready.

bench/rollout.py calls summary() for each run and prints the line beside its table.
"""
import argparse
import json
import sys
from datetime import datetime


def _ts(text):
    # 2026-11-30T11:45:01.123456Z
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def events(audit_log, namespace, offset=0):
    out = []
    with open(audit_log) as f:
        f.seek(offset)
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            ref = e.get("objectRef", {})
            if e.get("stage") != "ResponseComplete" or ref.get("namespace") != namespace:
                continue
            if (ref.get("resource") in ("daemonsets", "nodedaemons") and e["verb"] == "patch"
                    and not ref.get("subresource") and "kube-controller" not in e["user"]["username"]
                    and not e.get("userAgent", "").startswith("fabric8")):
                out = []  # the template change: the update starts here
                continue
            if ref.get("resource") != "pods":
                continue
            code = e.get("responseStatus", {}).get("code", 0)
            out.append({"t": _ts(e["requestReceivedTimestamp"]), "verb": e["verb"],
                        "sub": ref.get("subresource", ""), "name": ref.get("name", ""),
                        "user": e["user"]["username"], "ok": 200 <= code < 300})
    out.sort(key=lambda x: x["t"])
    return out


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fmt(values):
    if not values:
        return "-"
    return (f"p50 {pct(values, 50):.2f} s, p90 {pct(values, 90):.2f} s, "
            f"max {max(values):.2f} s (n={len(values)})")


def analyse(audit_log, namespace, offset, budget, surge):
    evs = events(audit_log, namespace, offset)
    creates = [e for e in evs if e["verb"] == "create" and not e["sub"] and e["ok"]]
    deletes = [e for e in evs
               if e["verb"] == "delete" and not e["sub"] and e["ok"] and "kwok" not in e["user"]]
    binds = {e["name"]: e["t"] for e in evs if e["sub"] == "binding" and e["ok"]}
    last_status = {}
    for e in evs:
        if e["sub"] == "status" and e["ok"] and "kwok" in e["user"]:
            last_status[e["name"]] = e["t"]
    bound_names = set(binds)
    # New pods are those bound during the update; their ready time is the last kwok status patch.
    ready = sorted(last_status[n] for n in bound_names if n in last_status)
    sched = []
    # creates carry no name with generateName: match binds to creates by order instead
    bind_times = sorted(binds.values())
    for c, b in zip([c["t"] for c in creates], bind_times):
        sched.append(b - c)
    to_ready = [last_status[n] - binds[n] for n in bound_names if n in last_status]
    gated = creates if surge else deletes
    reaction = []
    for i, r in enumerate(ready):
        j = budget + i
        if j < len(gated):
            reaction.append(max(0.0, gated[j]["t"] - r))
    replace = []
    if not surge:
        for d, c in zip([d["t"] for d in deletes], [c["t"] for c in creates]):
            replace.append(c - d)
    start = evs[0]["t"] if evs else 0
    return {
        "span": (ready[-1] - start) if ready else None,
        "creates": len(creates), "deletes": len(deletes),
        "create_to_bind": sched, "bind_to_ready": to_ready, "reaction": reaction,
        "delete_to_create": replace,
    }


def summary(audit_log, namespace, offset, budget, surge):
    a = analyse(audit_log, namespace, offset, budget, surge)
    lines = [f"  span first write -> last ready: {a['span']:.1f} s" if a["span"] else "  span: -",
             f"  create -> bound (scheduler): {fmt(a['create_to_bind'])}",
             f"  bound -> ready (kwok): {fmt(a['bind_to_ready'])}",
             f"  reaction (ready -> the write it allows): {fmt(a['reaction'])}"]
    if not surge:
        lines.append(f"  delete -> create (by order): {fmt(a['delete_to_create'])}")
    return a, lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("audit_log")
    parser.add_argument("namespace")
    parser.add_argument("--from-offset", type=int, default=0)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--surge", action="store_true")
    args = parser.parse_args()
    _, lines = summary(args.audit_log, args.namespace, args.from_offset, args.budget, args.surge)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
