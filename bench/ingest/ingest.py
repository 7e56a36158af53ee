#!/usr/bin/env python3
"""Ingest benchmark: Cairn next to InfluxDB 1.6.7 on this machine, TSBS-shaped cpu line protocol.

One run of this script:
  * generates the TSBS-shaped `cpu` data once (--hosts x --steps lines, 10 integer fields each,
    10 s apart from 2016-01-01T00:00:00Z, deterministic seed), cut into --batch-line bodies,
    written to files in a temp dir, outside any timed part;
  * then, --runs times, with the systems alternating and the order rotating run by run:
    starts the server with fresh temp dirs on loopback, creates the database, probes one write,
    POSTs every body with --writers keep-alive http.client connections (one per writer thread)
    and times that send phase; reads the server's CPU time (/proc/PID/stat) before and after;
    waits for the data dir to settle (cache snapshot, compactions); records bytes on disk
    (allocated, st_blocks*512) and peak RSS (VmHWM); stops the server.

A system that refuses CREATE DATABASE and the first write is reported as not yet able to ingest;
the other systems are still measured. Prints a markdown report (medians, ratios Cairn/influxd,
a final GOALS line) and writes it to bench/results/ingest-<date>.md.

Python 3 standard library only; Linux only (reads /proc). Every process it starts is stopped
in a finally; every wait is bounded.
"""

import argparse
import datetime
import http.client
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import startup  # noqa: E402  bench/startup.py: process spawn/stop, READY line, /ping, machine facts

from startup import BenchError, log, spawn, stop, stop_all, free_port, wait_ping, read_ready_line, drain  # noqa: E402

GOAL_VALUES = 2.0   # Cairn values/s >= 2x influxd
GOAL_BYTES = 0.7    # Cairn bytes/value <= 0.7x influxd
GOAL_RSS = 1.0      # Cairn peak RSS <= influxd
DB = "benchmark"
START_NS = 1451606400 * 10**9          # 2016-01-01T00:00:00Z
INTERVAL_NS = 10 * 10**9               # 10 s
SNAPSHOT_COLD = "2s"
FULL_COLD = "5s"
FULL_COLD_S = 5.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------- data (TSBS devops cpu-only shape)

REGIONS = [
    ("us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"]),
    ("us-west-1", ["us-west-1a", "us-west-1b"]),
    ("us-west-2", ["us-west-2a", "us-west-2b", "us-west-2c"]),
    ("eu-west-1", ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
    ("eu-central-1", ["eu-central-1a", "eu-central-1b"]),
    ("ap-southeast-1", ["ap-southeast-1a", "ap-southeast-1b"]),
    ("ap-southeast-2", ["ap-southeast-2a", "ap-southeast-2b"]),
    ("ap-northeast-1", ["ap-northeast-1a", "ap-northeast-1c"]),
    ("sa-east-1", ["sa-east-1a", "sa-east-1b", "sa-east-1c"]),
]
ARCHS = ["x64", "x86"]
OSES = ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"]
ENVS = ["production", "staging", "test"]
TEAMS = ["SF", "NYC", "LON", "CHI"]
FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait", "usage_irq",
          "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]


def generate(dirpath, hosts, steps, batch, seed):
    """Writes batch-NNNNN.lp files; returns [(path, lines)]. Same order as TSBS emits: time, then host.

    Like TSBS, hosts are created in order from one random source: first the 10 initial CPU states
    (uniform 0..100), then the tags; every later step advances each field by N(0,1) clamped to
    [0,100], and the fields are written truncated to int64 with the `i` suffix.
    Not bit-identical to TSBS (Go's math/rand differs), but the same shape and sizes.
    """
    rng = random.Random(seed)
    prefixes, states = [], []
    for h in range(hosts):
        st = [rng.random() * 100.0 for _ in FIELDS]
        region, dcs = REGIONS[rng.randrange(len(REGIONS))]
        dc = dcs[rng.randrange(len(dcs))]
        rack = rng.randrange(100)
        arch = ARCHS[rng.randrange(len(ARCHS))]
        os_ = OSES[rng.randrange(len(OSES))]
        service = rng.randrange(20)
        service_version = rng.randrange(2)
        env = ENVS[rng.randrange(len(ENVS))]
        team = TEAMS[rng.randrange(len(TEAMS))]
        prefixes.append(f"cpu,hostname=host_{h},region={region},datacenter={dc},rack={rack},os={os_},"
                        f"arch={arch},team={team},service={service},service_version={service_version},"
                        f"service_environment={env} ")
        states.append(st)
    names = [f + "=" for f in FIELDS]
    gauss = rng.gauss
    files, buf, n = [], [], 0

    def flush():
        nonlocal buf, n
        if n:
            path = os.path.join(dirpath, f"batch-{len(files):05d}.lp")
            with open(path, "w") as f:
                f.write("".join(buf))
            files.append((path, n))
        buf, n = [], 0

    for step in range(steps):
        ts = f" {START_NS + step * INTERVAL_NS}\n"
        for h in range(hosts):
            st = states[h]
            if step:
                for i in range(10):
                    v = st[i] + gauss(0.0, 1.0)
                    st[i] = 0.0 if v < 0.0 else (100.0 if v > 100.0 else v)
            buf.append(prefixes[h] + ",".join(f"{names[i]}{int(st[i])}i" for i in range(10)) + ts)
            n += 1
            if n == batch:
                flush()
    flush()
    return files


# ---------------------------------------------------------------- /proc and disk

def cpu_seconds(pid):
    """utime+stime of the process, in seconds, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def machine_busy_seconds():
    """CPU seconds all cores spent not idle (not idle/iowait), from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is already in user)
    return (sum(vals[:8]) - vals[3] - vals[4]) / CLK_TCK


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def du(*paths):
    """Allocated bytes (st_blocks*512) under the paths, like du; files vanishing mid-walk are skipped."""
    total = 0
    for top in paths:
        for dirpath, _dirs, names in os.walk(top):
            for name in names:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                except OSError:
                    pass
    return total


def wait_settled(proc, paths, stable_s, bound_s, min_s):
    """Polls du(paths) every 0.5 s until unchanged for stable_s (and at least min_s passed).

    Returns (seconds waited, settled?)."""
    t0 = time.perf_counter()
    last, since = du(*paths), t0
    while True:
        time.sleep(0.5)
        now = time.perf_counter()
        if proc.poll() is not None:
            raise BenchError(f"server exited with code {proc.returncode} while settling")
        size = du(*paths)
        if size != last:
            last, since = size, now
        elif now - since >= stable_s and now - t0 >= min_s:
            return now - t0, True
        if now - t0 >= bound_s:
            return now - t0, False


# ---------------------------------------------------------------- HTTP

def request(host, port, method, path, body=None, timeout=30.0):
    """One request on a fresh connection; returns (status, body text)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def short(text, n=200):
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def create_and_probe(host, port, first_line):
    """CREATE DATABASE, then one write of the first line of the data (the same point is written
    again by the first batch). Returns None when the system can ingest, else the reason."""
    q = urllib.parse.urlencode({"q": f"CREATE DATABASE {DB}"})
    status, body = request(host, port, "POST", f"/query?{q}")
    create_err = None
    if status // 100 != 2 or '"error"' in body:
        create_err = f"CREATE DATABASE → HTTP {status}: {short(body)}"
    status, body = request(host, port, "POST", f"/write?db={DB}&precision=ns", body=first_line)
    if status != 204:
        write_err = f"first write → HTTP {status}: {short(body)}"
        return "; ".join(x for x in (create_err, write_err) if x)
    return None  # writes are accepted (even if CREATE DATABASE was not understood)


def send_all(host, port, bodies, writers, timeout):
    """POSTs every body, `writers` threads each with its own keep-alive connection, taking the next
    body in order from a shared counter (like TSBS workers). Returns the timed-phase results."""
    path = f"/write?db={DB}&precision=ns"
    lock = threading.Lock()
    nxt = [0]
    latencies, errors = [], []
    go = threading.Event()
    ready = threading.Barrier(writers + 1, timeout=30)

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            try:
                conn.connect()
            except OSError as exc:
                errors.append((0, f"connect: {exc}"))
            ready.wait()
            go.wait(timeout=60)
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(bodies):
                    return
                t = time.perf_counter()
                try:
                    conn.request("POST", path, body=bodies[i],
                                 headers={"Content-Type": "text/plain; charset=utf-8"})
                    resp = conn.getresponse()
                    data = resp.read()
                    status = resp.status
                except Exception as exc:  # noqa: BLE001  counted as a failed batch, never lost
                    conn.close()  # reconnect on the next request
                    status, data = 0, f"{type(exc).__name__}: {exc}".encode()
                lat = time.perf_counter() - t
                with lock:
                    latencies.append(lat)
                    if status != 204:
                        errors.append((status, data.decode("utf-8", "replace")))
        except threading.BrokenBarrierError:
            errors.append((0, "writer barrier broken"))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(writers)]
    for t in threads:
        t.start()
    ready.wait()
    return threads, go, latencies, errors


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    if not s:
        return float("nan")
    rank = max(1, -(-p * len(s) // 100))
    return s[rank - 1]


# ---------------------------------------------------------------- systems

INFLUXD_CONF = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"

[meta]
  dir = "{d}/meta"

[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  wal-fsync-delay = "0s"
  cache-snapshot-write-cold-duration = "{snap}"
  compact-full-write-cold-duration = "{full}"

[monitor]
  store-enabled = false

[http]
  bind-address = "127.0.0.1:{http}"
"""


def start_influxd(binary, workdir, timeout):
    http_port, rpc_port = free_port(), free_port()
    while rpc_port == http_port:
        rpc_port = free_port()
    conf = os.path.join(workdir, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(INFLUXD_CONF.format(d=workdir, rpc=rpc_port, http=http_port, snap=SNAPSHOT_COLD, full=FULL_COLD))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFLUXDB_")}
    with open(os.path.join(workdir, "stderr.log"), "wb") as err:
        t0 = time.perf_counter()
        proc = spawn([binary, "run", "-config", conf], workdir, env, subprocess.DEVNULL, err)
    wait_ping(proc, "127.0.0.1", http_port, t0 + timeout, 0.01)
    dirs = {"data": os.path.join(workdir, "data"), "wal": os.path.join(workdir, "wal")}
    return proc, "127.0.0.1", http_port, dirs


def start_cairn(binary, workdir, timeout, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    dirs = {"data": os.path.join(workdir, "data"), "wal": os.path.join(workdir, "wal")}
    env.update({
        # No licence and no config file: zero-config with the embedded development licence.
        "CAIRN_HTTP_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_HTTP_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_DATA_DIR": dirs["data"],
        "CAIRN_DATA_WAL_DIR": dirs["wal"],
        "CAIRN_META_DIR": os.path.join(workdir, "meta"),
        "CAIRN_HINTED_HANDOFF_DIR": os.path.join(workdir, "hh"),
        "CAIRN_DATA_CACHE_SNAPSHOT_WRITE_COLD_DURATION": SNAPSHOT_COLD,
        "CAIRN_DATA_COMPACT_FULL_WRITE_COLD_DURATION": FULL_COLD,
    })
    env.update(extra_env)
    with open(os.path.join(workdir, "stderr.log"), "wb") as err:
        t0 = time.perf_counter()
        # A single server (role both), as influxd is: a data-only node needs meta nodes before it takes DDL.
        proc = spawn([binary, "run", "--role", "both"], workdir, env, subprocess.PIPE, err)
    line = read_ready_line(proc, t0 + timeout)
    drain(proc.stdout)
    m = re.search(r"\bhttp=(\S+):(\d+)", line)
    if not m:
        raise BenchError(f"READY line without http=: {line!r}")
    host, port = m.group(1).strip("[]"), int(m.group(2))
    wait_ping(proc, host, port, t0 + timeout, 0.01)
    return proc, host, port, dirs


def measure(system, args, bodies, total_lines, first_line):
    """One run of one system. Returns a result dict, or {"unable": reason}."""
    workdir = tempfile.mkdtemp(prefix=f"cairn-ingest-{system['key']}-")
    proc = None
    try:
        if system["kind"] == "cairn":
            proc, host, port, dirs = start_cairn(args.cairn, workdir, args.timeout, args.cairn_env_dict)
        else:
            proc, host, port, dirs = start_influxd(args.influxd, workdir, args.timeout)
        reason = create_and_probe(host, port, first_line)
        if reason:
            return {"unable": reason}

        threads, go, latencies, errors = send_all(host, port, bodies, args.writers, args.request_timeout)
        cpu0 = cpu_seconds(proc.pid)
        client0 = time.process_time()
        busy0 = machine_busy_seconds()
        t0 = time.perf_counter()
        go.set()
        deadline = t0 + args.send_bound
        for t in threads:
            t.join(timeout=max(0.1, deadline - time.perf_counter()))
        t1 = time.perf_counter()
        if any(t.is_alive() for t in threads):
            raise BenchError(f"send phase not done after {args.send_bound:g} s")
        cpu1 = cpu_seconds(proc.pid)
        client1 = time.process_time()
        busy1 = machine_busy_seconds()
        if proc.poll() is not None:
            raise BenchError(f"server exited with code {proc.returncode} during the writes")

        settle_s, settled = wait_settled(proc, [dirs["data"], dirs["wal"]], args.stable,
                                         args.settle_bound, FULL_COLD_S + 2.0)
        cpu2 = cpu_seconds(proc.pid)
        values = total_lines * len(FIELDS)
        elapsed = t1 - t0
        return {
            "values_s": values / elapsed,
            "elapsed": elapsed,
            "bodies_s": len(bodies) / elapsed,
            "p50_ms": pct(latencies, 50) * 1000,
            "p99_ms": pct(latencies, 99) * 1000,
            "cpu_per_m": (cpu1 - cpu0) / (values / 1e6),
            "cpu_settle_per_m": (cpu2 - cpu0) / (values / 1e6),
            "client_cpu_per_m": (client1 - client0) / (values / 1e6),
            "server_cores": (cpu1 - cpu0) / elapsed,
            "other_cores": max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (client1 - client0)) / elapsed,
            "hwm_mib": status_kib(proc.pid, "VmHWM") / 1024,
            "bytes_value": du(dirs["data"]) / values,
            "disk_all_mib": du(dirs["data"], dirs["wal"]) / 2**20,
            "wal_mib": du(dirs["wal"]) / 2**20,
            "settle_s": settle_s,
            "settled": settled,
            "errors": errors,
        }
    except BenchError as exc:
        tail = ""
        try:
            with open(os.path.join(workdir, "stderr.log"), "rb") as f:
                tail = f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            pass
        raise BenchError(f"{system['label']}: {exc}\n--- stderr tail ---\n{tail}") from None
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- report

ROWS = [
    # title, key, format, goal direction for the ratio note
    ("values/s (timed send phase)", "values_s", "{:,.0f}"),
    ("send phase (s)", "elapsed", "{:.2f}"),
    ("server CPU s per M values, send phase", "cpu_per_m", "{:.2f}"),
    ("server CPU s per M values, incl. settle/compaction", "cpu_settle_per_m", "{:.2f}"),
    ("server cores busy during send phase", "server_cores", "{:.2f}"),
    ("other processes' cores busy during send phase (noise)", "other_cores", "{:.2f}"),
    ("peak RSS, VmHWM (MiB)", "hwm_mib", "{:.1f}"),
    ("bytes on disk per value, data dir after compaction", "bytes_value", "{:.3f}"),
    ("data+wal on disk after settle (MiB)", "disk_all_mib", "{:.2f}"),
    ("  of which wal (MiB)", "wal_mib", "{:.2f}"),
    ("time to settle after the writes (s)", "settle_s", "{:.1f}"),
    ("client: bodies/s", "bodies_s", "{:.1f}"),
    ("client: its own CPU s per M values, send phase", "client_cpu_per_m", "{:.3f}"),
    ("client: batch latency p50 (ms)", "p50_ms", "{:.1f}"),
    ("client: batch latency p99 (ms)", "p99_ms", "{:.1f}"),
]


def machine_table(facts, loadavg, args):
    """The machine facts of a report, as a markdown table (shared with bench/query/query.py)."""
    rows = [("date", facts['date']), ("nproc", facts['nproc']), ("CPU", facts['cpu']), ("memory", facts['memory']),
            ("kernel", facts['kernel']), ("load average at start", loadavg), ("commit", facts['commit']),
            ("cairn", f"{facts['cairn_version']} (`{args.cairn}`)"),
            ("influxd", f"{facts['influxd_version']} (`{args.influxd}`)"), ("python", facts['python'])]
    return "| machine | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def build_report(args, systems, results, unable, facts, reproduce, data_facts):
    med = {}
    for s in systems:
        r = results[s["key"]]
        if r:
            med[s["key"]] = {k: statistics.median(x[k] for x in r) for _, k, _ in ROWS}
    cairn = next((s for s in systems if s["kind"] == "cairn"), None)
    influx = next((s for s in systems if s["kind"] == "influxd"), None)

    head = ["metric"] + [s["label"] for s in systems]
    both = cairn and influx and cairn["key"] in med and influx["key"] in med
    show_ratio = cairn and influx
    if show_ratio:
        head.append("Cairn / influxd")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for title, key, fmt in ROWS:
        cells = [title]
        for s in systems:
            if s["key"] in med:
                cells.append(fmt.format(med[s["key"]][key]))
            elif s["key"] in unable:
                cells.append("—")
            else:
                cells.append("n/a")
        if show_ratio:
            if both and med[influx["key"]][key]:
                cells.append(f"{med[cairn['key']][key] / med[influx['key']][key]:.2f}×")
            else:
                cells.append("—")
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    notes = []
    for s in systems:
        if s["key"] in unable:
            notes.append(f"- **{s['label']}: not yet able to ingest ({unable[s['key']]})**")
    for s in systems:
        for i, r in enumerate(results[s["key"]]):
            if r["errors"]:
                kinds = {}
                for st, body in r["errors"]:
                    kinds.setdefault(st, short(body))
                desc = "; ".join(f"HTTP {st}: {b}" for st, b in kinds.items())
                notes.append(f"- **ERRORS: {s['label']} run {i + 1}: {len(r['errors'])} batch(es) not answered "
                             f"204 ({desc}). Its numbers are not valid.**")
            if not r["settled"]:
                notes.append(f"- {s['label']} run {i + 1}: disk size did not settle within "
                             f"{args.settle_bound:g} s; bytes/value may include uncompacted data.")

    per_run = ["| run | system | values/s | CPU s/M values | VmHWM MiB | bytes/value | p99 ms | non-204 | other cores busy |",
               "|---|---|---|---|---|---|---|---|---|"]
    for s in systems:
        for i, r in enumerate(results[s["key"]]):
            per_run.append(f"| {i + 1} | {s['label']} | {r['values_s']:,.0f} | {r['cpu_per_m']:.2f} | "
                           f"{r['hwm_mib']:.1f} | {r['bytes_value']:.3f} | {r['p99_ms']:.1f} | {len(r['errors'])} | "
                           f"{r['other_cores']:.2f} |")

    # GOALS
    if cairn is None or influx is None:
        goals = "GOALS: not evaluated (needs both Cairn and influxd in --systems)"
    elif cairn["key"] in unable:
        goals = (f"GOALS: values/s ≥ {GOAL_VALUES:g}× influxd: NOT MET (Cairn cannot ingest yet); "
                 f"bytes/value ≤ {GOAL_BYTES:g}× influxd: NOT MET (Cairn cannot ingest yet); "
                 f"peak RSS ≤ influxd: NOT MET (Cairn cannot ingest yet)")
    elif not both:
        goals = "GOALS: not evaluated (a system has no results)"
    else:
        c, i = med[cairn["key"]], med[influx["key"]]
        rv = c["values_s"] / i["values_s"]
        rb = c["bytes_value"] / i["bytes_value"]
        rr = c["hwm_mib"] / i["hwm_mib"]
        bad = any(r["errors"] for s in systems for r in results[s["key"]])
        flag = " (runs had write errors: not valid)" if bad else ""
        goals = (f"GOALS{flag}: values/s ≥ {GOAL_VALUES:g}× influxd: {'HOLDS' if rv >= GOAL_VALUES else 'FAILS'} ({rv:.2f}×); "
                 f"bytes/value ≤ {GOAL_BYTES:g}× influxd: {'HOLDS' if rb <= GOAL_BYTES else 'FAILS'} ({rb:.2f}×); "
                 f"peak RSS ≤ influxd: {'HOLDS' if rr <= GOAL_RSS else 'FAILS'} ({rr:.2f}×)")

    env_note = ""
    if args.cairn_env:
        env_note = "\nExtra environment for the Cairn processes: `" + " ".join(args.cairn_env) + "`\n"
    notes_txt = ("\n" + "\n".join(notes) + "\n") if notes else ""
    report = f"""# Cairn ingest vs influxd

{table}
{notes_txt}
Medians over {args.runs} run(s) per system, systems alternating run by run (order rotating).
Data: TSBS-shaped `cpu` line protocol, {args.hosts} hosts × {args.steps} steps of 10 s from
2016-01-01T00:00:00Z = {data_facts['lines']:,} lines = {data_facts['values']:,} integer values,
{data_facts['mib']:.1f} MiB in {data_facts['bodies']} bodies of ≤ {args.batch} lines (seed {args.seed}), generated
before any timing. {args.writers} writer threads, each with one keep-alive `http.client` connection,
POST `/write?db={DB}&precision=ns`, uncompressed; every batch must get 204.
values/s = values / wall time from releasing the writers to the last answer. Server CPU is
utime+stime from /proc/PID/stat; "other processes" is the machine's busy CPU (/proc/stat) minus
server and client during the send phase: anything above ~0.1 means the numbers are depressed by
neighbours (2 cores here). Peak RSS is VmHWM at the end of the run. Bytes on disk are
allocated bytes (st_blocks × 512) of the data dir once data+wal sizes are unchanged for
{args.stable:g} s (polled every 0.5 s, at least {FULL_COLD_S + 2:g} s after the writes, bounded {args.settle_bound:g} s), with
cache-snapshot-write-cold-duration = {SNAPSHOT_COLD} and compact-full-write-cold-duration = {FULL_COLD}
(influxd config; Cairn via CAIRN_DATA_* env). influxd keeps its default WAL fsync before the ack
(wal-fsync-delay = "0s"). Each run starts the server with fresh temp dirs on loopback.
{env_note}
Per run:

{chr(10).join(per_run)}

{machine_table(facts, data_facts['loadavg'], args)}

Reproduce: `{reproduce}`

{goals}
"""
    return report


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--systems", default="influxd,cairn", help="systems to measure (default influxd,cairn)")
    p.add_argument("--runs", type=int, default=3, help="runs per system (default 3)")
    p.add_argument("--hosts", type=int, default=1000, help="hosts = series (default 1000)")
    p.add_argument("--steps", type=int, default=400, help="10 s steps per host (default 400)")
    p.add_argument("--batch", type=int, default=5000, help="lines per body (default 5000)")
    p.add_argument("--writers", type=int, default=4, help="concurrent HTTP writers (default 4)")
    p.add_argument("--seed", type=int, default=42, help="data seed (default 42)")
    p.add_argument("--stable", type=float, default=8.0,
                   help="data+wal size must be unchanged this long, s (default 8: influxd's cold full "
                        "compaction starts compact-full-write-cold-duration=5s after the last TSM file "
                        "was written, i.e. after the cache snapshot, so a 5 s window ends too early)")
    p.add_argument("--settle-bound", type=float, default=120.0, help="cap on the settle wait, s (default 120)")
    p.add_argument("--send-bound", type=float, default=900.0, help="cap on one send phase, s (default 900)")
    p.add_argument("--request-timeout", type=float, default=120.0, help="HTTP timeout per batch, s (default 120)")
    p.add_argument("--timeout", type=float, default=30.0, help="cap on one server start, s (default 30)")
    p.add_argument("--cairn", default=os.path.join(ROOT, "bin", "cairn"), help="Cairn binary (default bin/cairn)")
    p.add_argument("--influxd", default=shutil.which("influxd") or "/usr/bin/influxd",
                   help="influxd binary (default from PATH, else /usr/bin/influxd)")
    p.add_argument("--cairn-env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra environment for the Cairn process (repeatable)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"),
                   help="directory for ingest-<date>.md (default bench/results)")
    args = p.parse_args(argv)
    if not 1 <= args.runs <= 100:
        p.error("--runs must be 1..100")
    if not (1 <= args.hosts <= 1_000_000 and 1 <= args.steps <= 100_000 and 1 <= args.batch <= 1_000_000
            and 1 <= args.writers <= 64):
        p.error("--hosts, --steps, --batch or --writers out of range")
    if args.hosts * args.steps > 20_000_000:
        p.error("--hosts × --steps above 20 M lines (the bodies are held in memory)")
    args.system_list = [s.strip() for s in args.systems.split(",") if s.strip()]
    if not args.system_list or any(s not in ("influxd", "cairn") for s in args.system_list):
        p.error("--systems is a comma list of influxd, cairn")
    startup.finish_cairn_args(p, args)
    return args


def main(argv):
    args = parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("this benchmark reads /proc and runs on Linux only", file=sys.stderr)
        return 2
    need = {"cairn": args.cairn, "influxd": args.influxd}
    for name in args.system_list:
        path = need[name]
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"not an executable: {path} (build with ./build.sh; install influxd with "
                  f"apt-get install influxdb)", file=sys.stderr)
            return 2

    labels = {"influxd": "influxd 1.6.7", "cairn": "Cairn"}
    systems = [{"key": k, "kind": k, "label": labels[k]} for k in args.system_list]
    results = {s["key"]: [] for s in systems}
    unable = {}

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    reproduce = os.environ.get("BENCH_REPRODUCE") or shlex.join(["bench/ingest/run.sh"] + argv)
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    datadir = tempfile.mkdtemp(prefix="cairn-ingest-data-")
    binaries_before = {p: (os.stat(p).st_size, os.stat(p).st_mtime_ns)
                       for p in (need[n] for n in args.system_list)}
    try:
        t = time.perf_counter()
        log(f"generating {args.hosts} hosts × {args.steps} steps in {datadir}")
        files = generate(datadir, args.hosts, args.steps, args.batch, args.seed)
        bodies = []
        for path, _n in files:
            with open(path, "rb") as f:
                bodies.append(f.read())
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
                r = measure(s, args, bodies, total_lines, first_line)
                if "unable" in r:
                    unable[s["key"]] = r["unable"]
                    log(f"run {i + 1}/{args.runs} {s['label']}: not yet able to ingest ({r['unable']})")
                    continue
                results[s["key"]].append(r)
                log(f"run {i + 1}/{args.runs} {s['label']}: {r['values_s']:,.0f} values/s, "
                    f"CPU {r['cpu_per_m']:.2f} s/M, VmHWM {r['hwm_mib']:.0f} MiB, "
                    f"{r['bytes_value']:.3f} B/value (settled {r['settle_s']:.1f} s), "
                    f"{len(r['errors'])} non-204, other processes {r['other_cores']:.2f} cores")
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all()
        shutil.rmtree(datadir, ignore_errors=True)

    for path, before in binaries_before.items():
        st = os.stat(path)
        if (st.st_size, st.st_mtime_ns) != before:
            log(f"WARNING: {path} changed during the run (rebuilt?); the numbers mix two binaries")
    facts = startup.machine_facts(args)
    report = build_report(args, systems, results, unable, facts, reproduce, data_facts)
    print(report, end="")
    os.makedirs(args.out, exist_ok=True)
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(args.out, f"ingest-{day}.md")
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
