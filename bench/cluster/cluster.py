#!/usr/bin/env python3
"""Cluster benchmark: a 2-data-node Cairn cluster (RF 1 and RF 2) next to a single Cairn node, on this machine.

One run of this script:
  * generates the ingest benchmark's TSBS-shaped `cpu` data once (bench/ingest/ingest.py's generator)
    and the query list once (bench/query/query.py's TSBS query types), before any timing;
  * then, --runs times, with the systems interleaved and the order rotating run by run, starts each
    system from fresh temp dirs on loopback:
      single: one `cairn run --role both` node, as the ingest and query benchmarks run it;
      rf1:    one `--role meta` node and two `--role data` nodes, joined with `cairn ctl add-meta` and
              `cairn ctl add-data`, database created `WITH REPLICATION 1`;
      rf2:    the same cluster, database created `WITH REPLICATION 2`;
    loads the data with the ingest benchmark's writers, dealing the bodies round-robin over the data
    nodes (each data node coordinates its share, with its share of the writers), times that send
    phase, waits for the data dirs to settle, counts the points through every data node, and runs the
    TSBS queries against the single node and the rf1 cluster (through its first data node), checking
    that the cluster's answers are identical to the single node's; then stops every process.

Prints a markdown report (medians, the ratios rf1/single and rf2/rf1 for values/s, the query latency
ratio cluster/single, a final GOALS line) and writes it to bench/results/cluster-<UTC date>.md.

Python 3 standard library only; Linux only (reads /proc). Every process it starts is stopped
in a finally; every wait is bounded.
"""

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True   # importing ingest and query must leave no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(BENCH, "ingest"))
sys.path.insert(0, os.path.join(BENCH, "query"))
import startup  # noqa: E402  bench/startup.py: process spawn/stop, READY line, /ping, machine facts
import ingest   # noqa: E402  bench/ingest/ingest.py: data generator, writers, settle wait, /proc helpers
import query    # noqa: E402  bench/query/query.py: TSBS query types, the query loop, answer checks

from startup import BenchError, log, spawn, stop, stop_all, wait_ping, read_ready_line, drain  # noqa: E402
from ingest import DB, FIELDS, FULL_COLD_S, SNAPSHOT_COLD, FULL_COLD  # noqa: E402

GOAL_RF1 = 0.8    # rf1 cluster values/s >= 0.8x the single node's
GOAL_RF2 = 0.45   # rf2 cluster values/s >= 0.45x the rf1 cluster's
DEFAULT_TYPES = "single-groupby-1-1-1,cpu-max-all-8,double-groupby-1"
STOP_GRACE_S = 10.0   # a Cairn node exits within 10 s of SIGTERM

SYSTEMS = {
    "single": {"key": "single", "label": "single node", "rf": None},
    "rf1": {"key": "rf1", "label": "cluster RF 1", "rf": 1},
    "rf2": {"key": "rf2", "label": "cluster RF 2", "rf": 2},
}


# ---------------------------------------------------------------- nodes and systems

class Node:
    """One Cairn process: its role, the endpoints of its READY line, its dirs."""

    def __init__(self, name, role, proc, endpoints, workdir):
        self.name, self.role, self.proc, self.endpoints, self.workdir = name, role, proc, endpoints, workdir
        self.dirs = {"data": os.path.join(workdir, "data"), "wal": os.path.join(workdir, "wal")}

    @property
    def host_port(self):
        host, _, port = self.endpoints["http"].rpartition(":")
        return host.strip("[]"), int(port)


class System:
    """The processes of one system. Quacks like a Popen for ingest.wait_settled: poll() answers the exit
    code of the first process that has exited, so the settle wait fails as soon as any node dies."""

    def __init__(self, spec):
        self.spec = spec
        self.nodes = []
        self.returncode = None

    @property
    def data(self):
        """The nodes that take /write and /query, in the order they joined."""
        return [n for n in self.nodes if n.role in ("data", "both")]

    def poll(self):
        for n in self.nodes:
            code = n.proc.poll()
            if code is not None:
                self.returncode = code
                return code
        return None

    def dead(self):
        """'name exited with code N' for the first node that exited, else None."""
        for n in self.nodes:
            if n.proc.poll() is not None:
                return f"{n.name} exited with code {n.proc.returncode}"
        return None

    def cpu_seconds(self):
        return sum(ingest.cpu_seconds(n.proc.pid) for n in self.nodes)

    def hwm_mib(self):
        return sum(ingest.status_kib(n.proc.pid, "VmHWM") for n in self.nodes) / 1024

    def stop(self):
        """SIGTERM to every node at once (data nodes first), then each gets STOP_GRACE_S before SIGKILL."""
        order = [n for n in self.nodes if n.role != "meta"] + [n for n in self.nodes if n.role == "meta"]
        for n in order:
            if n.proc.poll() is None:
                try:
                    os.killpg(n.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for n in order:
            try:
                stop(n.proc, grace=STOP_GRACE_S)
            except Exception as exc:  # keep going: the others must be stopped too
                log(f"could not stop {n.name} (pid {n.proc.pid}): {exc}")

    def stderr_tails(self, n_bytes=1500):
        out = []
        for n in self.nodes:
            try:
                with open(os.path.join(n.workdir, "stderr.log"), "rb") as f:
                    out.append(f"--- {n.name} stderr tail ---\n" + f.read()[-n_bytes:].decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(out)


def node_env(workdir, extra_env):
    """The ingest benchmark's Cairn environment (ingest.start_cairn), with this node's dirs: zero-config with
    the development licence, loopback port 0 everywhere, the same cold durations for snapshot and compaction."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env.update({
        "CAIRN_HTTP_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_HTTP_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_DATA_DIR": os.path.join(workdir, "data"),
        "CAIRN_DATA_WAL_DIR": os.path.join(workdir, "wal"),
        "CAIRN_META_DIR": os.path.join(workdir, "meta"),
        "CAIRN_HINTED_HANDOFF_DIR": os.path.join(workdir, "hh"),
        "CAIRN_DATA_CACHE_SNAPSHOT_WRITE_COLD_DURATION": SNAPSHOT_COLD,
        "CAIRN_DATA_COMPACT_FULL_WRITE_COLD_DURATION": FULL_COLD,
    })
    env.update(extra_env)
    return env


def start_node(system, name, role, args, workdir):
    """Starts `cairn run --role ROLE` in workdir/name and adds it to the system once its READY line is read
    (and, for a node with an HTTP API, once /ping answers)."""
    nodedir = os.path.join(workdir, name)
    os.makedirs(nodedir)
    with open(os.path.join(nodedir, "stderr.log"), "wb") as err:
        t0 = time.perf_counter()
        proc = spawn([args.cairn, "run", "--role", role], nodedir, node_env(nodedir, args.cairn_env_dict),
                     subprocess.PIPE, err)
    node = Node(name, role, proc, {}, nodedir)
    system.nodes.append(node)   # registered before any wait, so the finally stops it
    line = read_ready_line(proc, t0 + args.timeout)
    drain(proc.stdout)
    node.endpoints = dict(re.findall(r"\b(http|rpc|meta-http|raft)=(\S+)", line))
    need = {"both": ("http",), "data": ("http", "rpc"), "meta": ("meta-http",)}[role]
    if any(k not in node.endpoints for k in need):
        raise BenchError(f"{name}: READY line without {'/'.join(need)}: {line!r}")
    if "http" in node.endpoints:
        host, port = node.host_port
        wait_ping(proc, host, port, t0 + args.timeout, 0.01)
    return node


def ctl(args, meta, *words, bound):
    """`cairn ctl -bind META words…`, retried every 0.2 s while it fails (a fresh meta node may still be
    electing itself), for at most `bound` seconds. Returns stdout."""
    deadline = time.perf_counter() + bound
    argv = [args.cairn, "ctl", "-bind", meta.endpoints["meta-http"], "-timeout", "5s", *words]
    while True:
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL,
                               cwd=meta.workdir)
            code, out = r.returncode, (r.stdout + r.stderr).strip()
        except subprocess.TimeoutExpired:   # run() has killed and reaped it
            code, out = -1, "no answer within 15 s"
        if code == 0:
            return r.stdout
        if time.perf_counter() >= deadline:
            raise BenchError(f"cairn ctl {' '.join(words)} failed for {bound:g} s: exit {code}: {ingest.short(out)}")
        time.sleep(0.2)


def start_system(system, args, workdir):
    """Starts and forms one system (its nodes join `system` as they start, so a failure here still stops
    them); returns the seconds from the first spawn to a formed cluster."""
    t0 = time.perf_counter()
    if system.spec["rf"] is None:
        start_node(system, "both", "both", args, workdir)
        return time.perf_counter() - t0
    meta = start_node(system, "meta", "meta", args, workdir)
    for i in range(args.data_nodes):
        start_node(system, f"data{i + 1}", "data", args, workdir)
    ctl(args, meta, "add-meta", meta.endpoints["meta-http"], bound=args.form_bound)
    for n in system.data:
        ctl(args, meta, "add-data", n.endpoints["rpc"], bound=args.form_bound)
    return time.perf_counter() - t0


def query_get(node, q, timeout=30.0):
    host, port = node.host_port
    return ingest.request(host, port, "GET", "/query?" + urllib.parse.urlencode({"db": DB, "q": q}), timeout=timeout)


def create_and_probe(system, args, first_line):
    """CREATE DATABASE (WITH REPLICATION rf on a cluster) through the first data node, waits until every
    data node's copy of the metadata has the database, then writes the data's first line through every
    data node (the first batch writes that point again). Returns None when the system can ingest, else why."""
    rf = system.spec["rf"]
    if rf is None:
        host, port = system.data[0].host_port
        return ingest.create_and_probe(host, port, first_line)   # exactly as the ingest benchmark does
    stmt = f"CREATE DATABASE {DB} WITH REPLICATION {rf}"
    host, port = system.data[0].host_port
    deadline = time.perf_counter() + args.form_bound
    while True:   # the new data node may not have its first copy of the metadata yet
        status, body = ingest.request(host, port, "POST", "/query?" + urllib.parse.urlencode({"q": stmt}))
        if status // 100 == 2 and '"error"' not in body:
            break
        if time.perf_counter() >= deadline:
            return f"{stmt} → HTTP {status}: {ingest.short(body)}"
        time.sleep(0.2)
    for n in system.data:
        while True:
            status, body = query_get(n, "SHOW DATABASES")
            if status == 200 and f'["{DB}"]' in body:
                break
            if time.perf_counter() >= deadline:
                return f"{n.name} never listed {DB} after {stmt}: HTTP {status}: {ingest.short(body)}"
            time.sleep(0.1)
    for n in system.data:
        h, p = n.host_port
        status, body = ingest.request(h, p, "POST", f"/write?db={DB}&precision=ns", body=first_line)
        if status != 204:
            return f"first write through {n.name} → HTTP {status}: {ingest.short(body)}"
    return None


def count_points(node):
    """count(usage_user) over all the data, as answered through `node`; None with the answer when it fails."""
    status, body = query_get(node, "SELECT count(usage_user) FROM cpu")
    try:
        return int(json.loads(body)["results"][0]["series"][0]["values"][0][1]), None
    except (ValueError, KeyError, IndexError, TypeError):
        return None, f"HTTP {status}: {ingest.short(body)}"


def shard_layout(node):
    """'N shards, owners a / b' from SHOW SHARDS for the benchmark database, through `node`."""
    status, body = query_get(node, "SHOW SHARDS")
    try:
        for s in json.loads(body)["results"][0]["series"]:
            if s["name"] != DB:
                continue
            cols = s["columns"]
            if "owners" not in cols:
                return f"{len(s['values'])} shard(s)"
            owners = [str(v[cols.index("owners")] or "") for v in s["values"]]
            if not any(owners):   # a single server lists no owners
                return f"{len(owners)} shard(s)"
            return f"{len(owners)} shard(s), owners {' / '.join(owners)}"
        return "no shards listed"
    except (ValueError, KeyError, IndexError, TypeError):
        return f"SHOW SHARDS → HTTP {status}: {ingest.short(body, 80)}"


# ---------------------------------------------------------------- one run of one system

def send_phase(system, args, bodies):
    """Deals the bodies round-robin over the data nodes (body i to node i mod n) and the writers as evenly;
    every node's writers take their node's bodies in order (ingest.send_all). Returns the timed figures."""
    data = system.data
    n = len(data)
    groups = []
    for i, node in enumerate(data):
        host, port = node.host_port
        writers = args.writers // n + (1 if i < args.writers % n else 0)
        groups.append(ingest.send_all(host, port, bodies[i::n], writers, args.request_timeout))
    cpu0 = system.cpu_seconds()
    client0 = time.process_time()
    busy0 = ingest.machine_busy_seconds()
    t0 = time.perf_counter()
    for _threads, go, _lat, _err in groups:
        go.set()
    deadline = t0 + args.send_bound
    for threads, _go, _lat, _err in groups:
        for t in threads:
            t.join(timeout=max(0.1, deadline - time.perf_counter()))
    t1 = time.perf_counter()
    if any(t.is_alive() for threads, _g, _l, _e in groups for t in threads):
        raise BenchError(f"send phase not done after {args.send_bound:g} s")
    cpu1 = system.cpu_seconds()
    client1 = time.process_time()
    busy1 = ingest.machine_busy_seconds()
    latencies = [x for _t, _g, lat, _e in groups for x in lat]
    errors = [x for _t, _g, _l, err in groups for x in err]
    return {"elapsed": t1 - t0, "cpu0": cpu0, "cpu1": cpu1, "latencies": latencies, "errors": errors,
            "client": client1 - client0, "busy": busy1 - busy0}


def run_queries(system, args, queries):
    """The query benchmark's loop (query.run_queries), one type at a time through the first data node, so
    the CPU of every node of the system can be read around each type."""
    node = system.data[0]
    host, port = node.host_port
    out = {}
    for name, qs in queries.items():
        cpu0, busy0, me0, w0 = system.cpu_seconds(), ingest.machine_busy_seconds(), time.process_time(), time.perf_counter()
        r = query.run_queries(system.spec, args, {name: qs}, node.proc, host, port)[name]
        cpu1, busy1, me1 = system.cpu_seconds(), ingest.machine_busy_seconds(), time.process_time()
        wall = max(1e-9, time.perf_counter() - w0)
        r["all_cpu_ms"] = (cpu1 - cpu0) * 1000 / max(1, len(qs))   # warm-up included: every query of the type
        r["all_other_cores"] = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (me1 - me0)) / wall
        r["all_wall"] = wall
        if (dead := system.dead()):
            raise BenchError(f"{dead} during {name}")
        out[name] = r
    return out


def measure(spec, args, bodies, total_lines, first_line, queries):
    """One run of one system. Returns a result dict, or {"unable": reason}."""
    workdir = tempfile.mkdtemp(prefix=f"cairn-cluster-{spec['key']}-")
    system = System(spec)
    try:
        form_s = start_system(system, args, workdir)
        reason = create_and_probe(system, args, first_line)
        if reason:
            return {"unable": reason}

        s = send_phase(system, args, bodies)
        if (dead := system.dead()):
            raise BenchError(f"{dead} during the writes")
        paths = [d for n in system.data for d in (n.dirs["data"], n.dirs["wal"])]
        settle_s, settled = ingest.wait_settled(system, paths, args.stable, args.settle_bound, FULL_COLD_S + 2.0)
        cpu2 = system.cpu_seconds()
        counts = [count_points(n) for n in system.data]
        layout = shard_layout(system.data[0])
        res = run_queries(system, args, queries) if spec["key"] in args.query_list else {}
        values = total_lines * len(FIELDS)
        elapsed = s["elapsed"]
        return {
            "values_s": values / elapsed,
            "elapsed": elapsed,
            "p50_ms": ingest.pct(s["latencies"], 50) * 1000,
            "p99_ms": ingest.pct(s["latencies"], 99) * 1000,
            "cpu_per_m": (s["cpu1"] - s["cpu0"]) / (values / 1e6),
            "cpu_settle_per_m": (cpu2 - s["cpu0"]) / (values / 1e6),
            "server_cores": (s["cpu1"] - s["cpu0"]) / elapsed,
            "other_cores": max(0.0, s["busy"] - (s["cpu1"] - s["cpu0"]) - s["client"]) / elapsed,
            "hwm_mib": system.hwm_mib(),
            "bytes_value": ingest.du(*(n.dirs["data"] for n in system.data)) / values,
            "form_s": form_s,
            "settle_s": settle_s,
            "settled": settled,
            "errors": s["errors"],
            "counts": counts,
            "layout": layout,
            "queries": res,
        }
    except BenchError as exc:
        raise BenchError(f"{spec['label']}: {exc}\n{system.stderr_tails()}") from None
    finally:
        system.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- report

ROWS = [
    ("values/s (timed send phase)", "values_s", "{:,.0f}"),
    ("send phase (s)", "elapsed", "{:.2f}"),
    ("server CPU s per M values, all processes, send phase", "cpu_per_m", "{:.2f}"),
    ("server CPU s per M values, all processes, incl. settle", "cpu_settle_per_m", "{:.2f}"),
    ("server cores busy during send phase, all processes", "server_cores", "{:.2f}"),
    ("other processes' cores busy during send phase (noise)", "other_cores", "{:.2f}"),
    ("peak RSS, sum of VmHWM over the processes (MiB)", "hwm_mib", "{:.1f}"),
    ("bytes on disk per value, all data dirs after settle", "bytes_value", "{:.3f}"),
    ("time to start and form the system (s)", "form_s", "{:.2f}"),
    ("time to settle after the writes (s)", "settle_s", "{:.1f}"),
    ("client: batch latency p50 (ms)", "p50_ms", "{:.1f}"),
    ("client: batch latency p99 (ms)", "p99_ms", "{:.1f}"),
]


def ratio_cell(med, a, b, key):
    if a in med and b in med and med[b][key]:
        return f"{med[a][key] / med[b][key]:.2f}×"
    return "—"


def query_stats(results, key, name):
    """Pooled over the runs: (ok latencies, failures, timed queries, first error, answers per run, cpu ms)."""
    ok, fails, n, first, answers, cpu = [], 0, 0, None, [], []
    for r in results[key]:
        t = r["queries"].get(name)
        if t is None:
            continue
        ok += t["ok_lat"]
        fails += t["fails"]
        n += len(t["lat"]) + t["skipped"]
        first = first or t["first_err"]
        answers.append(t["answers"])
        cpu.append(t["all_cpu_ms"])
    return ok, fails, n, first, answers, cpu


def build_report(args, systems, results, unable, facts, reproduce, data_facts, queries):
    med = {}
    for s in systems:
        if results[s["key"]]:
            med[s["key"]] = {k: statistics.median(x[k] for x in results[s["key"]]) for _, k, _ in ROWS}
    keys = [s["key"] for s in systems]

    head = ["metric"] + [s["label"] for s in systems]
    pairs = [(a, b) for a, b in (("rf1", "single"), ("rf2", "rf1")) if a in keys and b in keys]
    head += [f"{a} / {b}" for a, b in pairs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for title, key, fmt in ROWS:
        cells = [title]
        for s in systems:
            cells.append(fmt.format(med[s["key"]][key]) if s["key"] in med else "—")
        cells += [ratio_cell(med, a, b, key) for a, b in pairs]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    # points through every data node, and the shard layout
    expected = data_facts["lines"]
    check_rows = ["| system | data nodes | count(usage_user) through each data node (expected "
                  f"{expected:,}) | shards of `{DB}` (SHOW SHARDS) |", "|---|---|---|---|"]
    short_counts = []   # "label (k of n runs)" for the systems where a data node did not answer every point
    for s in systems:
        rows = {}   # one row per distinct (counts, layout): runs normally agree
        short = 0
        for i, r in enumerate(results[s["key"]]):
            cells = " / ".join(f"{c:,}" if c is not None else f"failed ({err})" for c, err in r["counts"])
            rows.setdefault((cells, r["layout"], len(r["counts"])), []).append(str(i + 1))
            short += any(c != expected for c, _ in r["counts"])
        for (cells, layout, n), runs in rows.items():
            which = "" if len(rows) == 1 else f" (run {', '.join(runs)})"
            check_rows.append(f"| {s['label']}{which} | {n} | {cells} | {layout} |")
        if short:
            short_counts.append(f"{s['label']} ({short} of {len(results[s['key']])} runs)")

    # queries: every query system against the single node
    qsys = [s for s in systems if s["key"] in args.query_list]
    others = [s for s in qsys if s["key"] != "single"]
    head_q = ["query type"] + [f"{s['label']} median ms (p95)" for s in qsys]
    head_q += [f"{s['label']} / single node median" for s in others]
    head_q += [f"{s['label']} answers identical to the single node's (bytes / JSON)" for s in others]
    head_q += [f"failures {s['label']}" for s in qsys] + [f"CPU ms/query, all processes, {s['label']}" for s in qsys]
    qlines = ["| " + " | ".join(head_q) + " |", "|" + "---|" * len(head_q)]
    identical_total, identical_same, latency_parts, query_notes = 0, 0, [], []
    for name in queries:
        st = {s["key"]: query_stats(results, s["key"], name) for s in qsys}
        cells = [name]
        for s in qsys:
            ok = st[s["key"]][0]
            cells.append(f"{statistics.median(ok) * 1000:.1f} ({ingest.pct(ok, 95) * 1000:.1f})" if ok else "—")
        for s in others:
            a, b = st[s["key"]][0], st.get("single", ([],))[0]
            if a and b:
                rm = statistics.median(a) / statistics.median(b)
                cells.append(f"{rm:.2f}×")
                latency_parts.append(f"{name} {rm:.2f}×")
            else:
                cells.append("—")
        for s in others:
            same = eq = total = 0
            if "single" in st:
                for mine, ref in zip(st[s["key"]][4], st["single"][4]):
                    for a, b in zip(mine, ref):
                        total += 1
                        same += a == b
                        eq += a[0] == b[0] == 200 and query.json_equal(a[1], b[1])
            identical_total += total
            identical_same += same
            cells.append(f"{same} / {eq} of {total}" if total else "—")
        for s in qsys:
            x = st[s["key"]]
            cells.append(f"{x[1]} of {x[2]}")
            if x[1]:
                query_notes.append(f"- **{s['label']} {name}: {x[1]} failure(s); first: {x[3]}**")
        for s in qsys:
            cpu = st[s["key"]][5]
            cells.append(f"{statistics.median(cpu):.1f}" if cpu else "—")
        qlines.append("| " + " | ".join(cells) + " |")
    qtable = "\n".join(qlines)

    notes = []
    for s in systems:
        if s["key"] in unable:
            notes.append(f"- **{s['label']}: not yet able to ingest ({unable[s['key']]})**")
    for s in systems:
        for i, r in enumerate(results[s["key"]]):
            if r["errors"]:
                kinds = {}
                for st_, body in r["errors"]:
                    kinds.setdefault(st_, ingest.short(body))
                desc = "; ".join(f"HTTP {st_}: {b}" for st_, b in kinds.items())
                notes.append(f"- **ERRORS: {s['label']} run {i + 1}: {len(r['errors'])} batch(es) not answered "
                             f"204 ({desc}). Its numbers are not valid.**")
            if not r["settled"]:
                notes.append(f"- {s['label']} run {i + 1}: disk size did not settle within "
                             f"{args.settle_bound:g} s.")
    if short_counts:
        notes.append(f"- **Not every point is visible through every data node ({', '.join(short_counts)}): "
                     f"the cluster does not yet act as one database, so its numbers are not yet meaningful.**")
    notes += query_notes

    per_run = ["| run | system | values/s | CPU s/M values | VmHWM MiB (sum) | bytes/value | p99 ms | non-204 | "
               "other cores busy | formed in s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for i in range(args.runs):
        for s in systems:
            if i < len(results[s["key"]]):
                r = results[s["key"]][i]
                per_run.append(f"| {i + 1} | {s['label']} | {r['values_s']:,.0f} | {r['cpu_per_m']:.2f} | "
                               f"{r['hwm_mib']:.1f} | {r['bytes_value']:.3f} | {r['p99_ms']:.1f} | "
                               f"{len(r['errors'])} | {r['other_cores']:.2f} | {r['form_s']:.2f} |")

    # GOALS
    bad = any(r["errors"] for s in systems for r in results[s["key"]])
    parts = []
    for a, b, goal in (("rf1", "single", GOAL_RF1), ("rf2", "rf1", GOAL_RF2)):
        title = f"values/s {a}/{b} ≥ {goal:g}"
        if a not in keys or b not in keys:
            parts.append(f"{title}: not evaluated (needs {a} and {b} in --systems)")
        elif a in unable or b in unable:
            parts.append(f"{title}: NOT MET ({a if a in unable else b} cannot ingest yet)")
        elif a not in med or b not in med:
            parts.append(f"{title}: not evaluated (no results)")
        else:
            rv = med[a]["values_s"] / med[b]["values_s"]
            parts.append(f"{title}: {'HOLDS' if rv >= goal else 'FAILS'} ({rv:.2f}×)")
    if others and "single" in args.query_list:
        verdict = "YES" if identical_total and identical_same == identical_total else "NO"
        parts.append(f"distributed answers identical to the single node's: {verdict} "
                     f"({identical_same} of {identical_total})")
        if latency_parts:
            parts.append("query median cluster/single: " + ", ".join(latency_parts))
    flags = []
    if bad:
        flags.append("runs had write errors: not valid")
    if short_counts:
        flags.append("not every point visible through every data node: not yet meaningful")
    goals = f"GOALS{' (' + '; '.join(flags) + ')' if flags else ''}: " + "; ".join(parts)

    env_note = ""
    if args.cairn_env:
        env_note = "\nExtra environment for the Cairn processes: `" + " ".join(args.cairn_env) + "`\n"
    notes_txt = ("\n" + "\n".join(notes) + "\n") if notes else ""
    examples = "\n".join(f"- {n}: `{queries[n][args.warmup]}`" for n in queries)
    mrows = [("date", facts["date"]), ("nproc", facts["nproc"]), ("CPU", facts["cpu"]), ("memory", facts["memory"]),
             ("kernel", facts["kernel"]), ("load average at start", data_facts["loadavg"]),
             ("commit", facts["commit"]), ("cairn", f"{facts['cairn_version']} (`{args.cairn}`)"),
             ("python", facts["python"])]
    machine = "| machine | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in mrows)
    nproc = facts["nproc"]
    report = f"""# Cairn cluster vs single node

{table}
{notes_txt}
Medians over {args.runs} run(s) per system, the systems interleaved run by run (order rotating); each run starts
the system from fresh temp dirs on loopback. **All processes share this machine's {nproc} cores**: the cluster's
meta node and {args.data_nodes} data nodes compete with each other (and with the client) for the same CPUs, so the
ratios measure coordination cost on one host, not scaling.

- single node: one `cairn run --role both`, as bench/ingest and bench/query run it; `CREATE DATABASE {DB}`.
- cluster RF n: one `cairn run --role meta` and {args.data_nodes} `cairn run --role data` (zero-config, development
  licence, `CAIRN_*BIND_ADDRESS=127.0.0.1:0`), joined with `cairn ctl add-meta` and `cairn ctl add-data`;
  `CREATE DATABASE {DB} WITH REPLICATION n` through the first data node, then the test waits until every data
  node lists it.

Data: the ingest benchmark's TSBS-shaped `cpu` data, {args.hosts} hosts × {args.steps} steps of 10 s from
2016-01-01T00:00:00Z = {data_facts['lines']:,} lines = {data_facts['values']:,} integer values,
{data_facts['mib']:.1f} MiB in {data_facts['bodies']} bodies of ≤ {args.batch} lines (seed {args.seed}), generated before any timing.
The bodies are dealt round-robin over the data nodes (body i to data node i mod n), and the {args.writers} writer
threads as evenly (each with one keep-alive `http.client` connection to its node, taking its node's bodies in
order), so each data node coordinates its share of the writes; every batch must get 204. values/s = values / wall
time from releasing the writers to the last answer. Server CPU and peak RSS are summed over all the system's
processes (meta node included); "other processes" is the machine's busy CPU minus those and the client. Bytes on
disk are summed over the data nodes' data dirs once data+wal sizes are unchanged for {args.stable:g} s (at least
{FULL_COLD_S + 2:g} s, bounded {args.settle_bound:g} s): with RF 2 every value is held twice.
{env_note}
Points and shards, after the settle wait:

{chr(10).join(check_rows)}

Distributed queries: after the settle wait, in every run, the TSBS query types of bench/query (seed {args.seed};
{args.warmup} untimed warm-up and {args.query_runs} timed queries per type, the same queries every run and for every
system) against {' and '.join(s['label'] for s in qsys)}, a cluster through its first data node. Latency is the wall time
of one `GET /query` on a keep-alive loopback connection; median and p95 pooled over all runs' valid answers.
"Identical" compares each cluster answer with the single node's answer to the same query in the same run.
CPU ms/query is the system's processes' utime+stime over the type's queries (warm-up included), median over runs.

{qtable}

Queries (the first timed one of each type):

{examples}

Per run:

{chr(10).join(per_run)}

{machine}

Reproduce: `{reproduce}`

{goals}
"""
    return report


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--systems", default="single,rf1,rf2", help="systems to measure (default single,rf1,rf2)")
    p.add_argument("--runs", type=int, default=3, help="runs per system (default 3)")
    p.add_argument("--data-nodes", type=int, default=2, help="data nodes per cluster (default 2)")
    p.add_argument("--hosts", type=int, default=1000, help="hosts = series (default 1000)")
    p.add_argument("--steps", type=int, default=400, help="10 s steps per host (default 400)")
    p.add_argument("--batch", type=int, default=5000, help="lines per body (default 5000)")
    p.add_argument("--writers", type=int, default=4, help="concurrent HTTP writers in all (default 4)")
    p.add_argument("--seed", type=int, default=42, help="data and query seed (default 42)")
    p.add_argument("--types", default=DEFAULT_TYPES, help=f"TSBS query types (default {DEFAULT_TYPES})")
    p.add_argument("--query-systems", default=None,
                   help="systems the queries run against; the answers are compared with single's "
                        "(default single,rf1, those of them in --systems)")
    p.add_argument("--query-runs", type=int, default=10, help="timed queries per type, system and run (default 10)")
    p.add_argument("--warmup", type=int, default=1, help="untimed queries per type first (default 1)")
    p.add_argument("--epoch", default="", choices=["", "ns", "u", "ms", "s"],
                   help="add &epoch=… to the queries (default none: RFC3339 times, as TSBS)")
    p.add_argument("--stable", type=float, default=8.0, help="data+wal size unchanged this long, s (default 8)")
    p.add_argument("--settle-bound", type=float, default=120.0, help="cap on the settle wait, s (default 120)")
    p.add_argument("--send-bound", type=float, default=900.0, help="cap on one send phase, s (default 900)")
    p.add_argument("--request-timeout", type=float, default=60.0, help="HTTP timeout per request, s (default 60)")
    p.add_argument("--timeout", type=float, default=30.0, help="cap on one node's start, s (default 30)")
    p.add_argument("--form-bound", type=float, default=30.0,
                   help="cap on each cluster-forming step (ctl add-meta, add-data, CREATE DATABASE), s (default 30)")
    p.add_argument("--cairn", default=os.path.join(ROOT, "bin", "cairn"), help="Cairn binary (default bin/cairn)")
    p.add_argument("--cairn-env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra environment for every Cairn process (repeatable)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"),
                   help="directory for cluster-<date>.md (default bench/results)")
    args = p.parse_args(argv)
    if not 1 <= args.runs <= 100 or not 1 <= args.query_runs <= 10_000 or not 0 <= args.warmup <= 100:
        p.error("--runs must be 1..100, --query-runs 1..10000, --warmup 0..100")
    if not 2 <= args.data_nodes <= 8:
        p.error("--data-nodes must be 2..8 (the development licence allows 8)")
    if not (1 <= args.hosts <= 1_000_000 and 1 <= args.steps <= 100_000 and 1 <= args.batch <= 1_000_000
            and args.data_nodes <= args.writers <= 64):
        p.error("--hosts, --steps, --batch or --writers out of range (--writers at least --data-nodes)")
    if args.hosts * args.steps > 20_000_000:
        p.error("--hosts × --steps above 20 M lines (the bodies are held in memory)")
    if not 0 < args.request_timeout <= 3600:
        p.error("--request-timeout must be 0..3600 s")
    args.system_list = [s.strip() for s in args.systems.split(",") if s.strip()]
    if not args.system_list or any(s not in SYSTEMS for s in args.system_list) \
            or len(set(args.system_list)) != len(args.system_list):
        p.error("--systems is a comma list of " + ", ".join(SYSTEMS))
    if args.query_systems is None:
        args.query_list = [s for s in ("single", "rf1") if s in args.system_list]
    else:
        args.query_list = [s.strip() for s in args.query_systems.split(",") if s.strip()]
    if any(s not in args.system_list for s in args.query_list):
        p.error("--query-systems must be among --systems")
    args.type_list = [t.strip() for t in args.types.split(",") if t.strip()]
    if not args.type_list or any(t not in query.TYPES for t in args.type_list):
        p.error("--types is a comma list of " + ", ".join(query.TYPES))
    startup.finish_cairn_args(p, args)
    return args


def main(argv):
    args = parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("this benchmark reads /proc and runs on Linux only", file=sys.stderr)
        return 2
    if not (os.path.isfile(args.cairn) and os.access(args.cairn, os.X_OK)):
        print(f"not an executable: {args.cairn} (build with ./build.sh)", file=sys.stderr)
        return 2

    systems = [SYSTEMS[k] for k in args.system_list]
    results = {s["key"]: [] for s in systems}
    unable = {}

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    reproduce = os.environ.get("BENCH_REPRODUCE") or shlex.join(["bench/cluster/run.sh"] + argv)
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    queries = query.make_queries(args.type_list, args.warmup, args.query_runs, args.seed, args.hosts, args.steps)
    datadir = tempfile.mkdtemp(prefix="cairn-cluster-data-")
    binary_before = (os.stat(args.cairn).st_size, os.stat(args.cairn).st_mtime_ns)
    t_start = time.perf_counter()
    try:
        t = time.perf_counter()
        log(f"generating {args.hosts} hosts × {args.steps} steps in {datadir}")
        files = ingest.generate(datadir, args.hosts, args.steps, args.batch, args.seed)
        bodies = []
        for path, _n in files:
            with open(path, "rb") as f:
                bodies.append(f.read())
        shutil.rmtree(datadir, ignore_errors=True)
        total_lines = sum(n for _p, n in files)
        first_line = bodies[0].split(b"\n", 1)[0] + b"\n"
        data_facts = {"lines": total_lines, "values": total_lines * len(FIELDS), "bodies": len(bodies),
                      "mib": sum(len(b) for b in bodies) / 2**20, "loadavg": loadavg}
        log(f"generated {total_lines:,} lines, {data_facts['mib']:.1f} MiB, {len(bodies)} bodies "
            f"in {time.perf_counter() - t:.1f} s")

        for i in range(args.runs):
            order = systems[i % len(systems):] + systems[:i % len(systems)]
            for s in order:
                if s["key"] in unable:
                    continue
                r = measure(s, args, bodies, total_lines, first_line, queries)
                if "unable" in r:
                    unable[s["key"]] = r["unable"]
                    log(f"run {i + 1}/{args.runs} {s['label']}: not yet able to ingest ({r['unable']})")
                    continue
                results[s["key"]].append(r)
                counts = " / ".join(f"{c:,}" if c is not None else "failed" for c, _ in r["counts"])
                log(f"run {i + 1}/{args.runs} {s['label']}: {r['values_s']:,.0f} values/s, "
                    f"CPU {r['cpu_per_m']:.2f} s/M, VmHWM {r['hwm_mib']:.0f} MiB, {r['bytes_value']:.3f} B/value, "
                    f"formed {r['form_s']:.1f} s, settled {r['settle_s']:.1f} s, {len(r['errors'])} non-204, "
                    f"other processes {r['other_cores']:.2f} cores; counts {counts}; {r['layout']}")
        del bodies
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all()
        shutil.rmtree(datadir, ignore_errors=True)

    if (os.stat(args.cairn).st_size, os.stat(args.cairn).st_mtime_ns) != binary_before:
        log(f"WARNING: {args.cairn} changed during the run (rebuilt?); the numbers mix two binaries")
    log(f"all runs done in {time.perf_counter() - t_start:.0f} s")
    args.influxd = "none"   # startup.machine_facts asks every binary for its version; there is no influxd here
    facts = startup.machine_facts(args)
    report = build_report(args, systems, results, unable, facts, reproduce, data_facts, queries)
    print(report, end="")
    os.makedirs(args.out, exist_ok=True)
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(args.out, f"cluster-{day}.md")
    with open(path, "w") as f:
        f.write(report)
    log(f"report written to {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}")
    bad = any(r["errors"] for s in systems for r in results[s["key"]])
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        stop_all()
        print("interrupted", file=sys.stderr)
        sys.exit(130)
