#!/usr/bin/env python3
"""Query benchmark: the TSBS query types against Cairn and InfluxDB 1.6.7, on the ingest benchmark's data.

One run of this script:
  * generates the TSBS-shaped `cpu` data once with bench/ingest/ingest.py's generator
    (--hosts x --steps lines, 10 integer fields, 10 s apart from 2016-01-01T00:00:00Z, seeded),
    before any timing;
  * generates the query list once (seeded): for every TSBS query type, --warmup untimed plus --runs
    timed queries, each with its own random host subset and random time window inside the data's
    range, exactly as tsbs_generate_queries writes them for InfluxDB
    (/work/shared/reference/perf-anchors.md section 4). Every system gets the same list;
  * then, per system (one after the other): starts the server with fresh temp dirs on loopback
    (the ingest benchmark's start helpers and config), creates the database, loads the data
    (the ingest benchmark's writers), waits until the data dir has settled (cache snapshot and
    full compaction done), then runs the queries of each type sequentially on one keep-alive
    connection, timing each `GET /query?db=...&q=...` from sending the request to having read the
    whole answer; then stops the server.

Answers are validated: HTTP non-200, an "error" in the body, or a result without any series is a
failure for that system and type (the first error text is reported). high-cpu-1 is the exception
for the empty result: one random host rarely exceeds usage_user 90 inside one window, so an empty
answer is legitimate there (the comparison with influxd still checks it). A system that cannot
answer at all (Cairn before SELECT exists answers `not implemented: SELECT`) is reported as
"not yet able"; the others are still measured. The answers of Cairn and influxd to the same query
are compared (byte-identical bodies, and equal as parsed JSON).

Prints a markdown report (median and p95 latency per query type and system, ratio Cairn/influxd,
failures, identical answers, machine, commit, reproduce command, a final GOALS line) and writes it
to bench/results/query-<UTC date>.md.

Python 3 standard library only; Linux only (reads /proc). Every process it starts is stopped
in a finally; every wait is bounded.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(BENCH, "ingest"))
import startup  # noqa: E402  bench/startup.py: process stop, machine facts, --cairn-env
import ingest   # noqa: E402  bench/ingest/ingest.py: data generator, server starts, writers, settle

from startup import BenchError, log, stop, stop_all  # noqa: E402
from ingest import DB, FIELDS, START_NS, INTERVAL_NS, FULL_COLD_S  # noqa: E402

GOAL_MEDIAN = 0.5   # Cairn median latency <= 0.5x influxd's, for every type
HOUR_S = 3600

# ---------------------------------------------------------------- TSBS query types (InfluxQL as TSBS writes it)
# name -> (kind, metrics, hosts, window seconds). Durations as in TSBS devops: single-groupby T h,
# cpu-max-all 8 h, double-groupby 12 h, high-cpu 12 h, groupby-orderby-limit 1 h (only its end is used).
TYPES = {
    "single-groupby-1-1-1": ("single-groupby", 1, 1, 1 * HOUR_S),
    "single-groupby-5-8-1": ("single-groupby", 5, 8, 1 * HOUR_S),
    "cpu-max-all-8": ("cpu-max-all", 10, 8, 8 * HOUR_S),
    "double-groupby-1": ("double-groupby", 1, 0, 12 * HOUR_S),
    "high-cpu-1": ("high-cpu", 0, 1, 12 * HOUR_S),
    "lastpoint": ("lastpoint", 0, 0, 0),
    "groupby-orderby-limit": ("groupby-orderby-limit", 0, 0, 1 * HOUR_S),
}
EMPTY_ALLOWED = {"high-cpu-1"}


def rfc3339(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_query(name, rng, n_hosts, steps):
    """One query of type `name`, with TSBS's random parameters drawn from rng."""
    kind, metrics, hosts, window = TYPES[name]
    start_s = START_NS // 10**9
    end_s = start_s + steps * INTERVAL_NS // 10**9   # exclusive end of the data, like TSBS --timestamp-end
    span = end_s - start_s
    if window >= span:
        s = start_s            # the window is longer than the data: it starts at the data's start
    else:
        s = start_s + rng.randrange(span - window + 1)   # whole seconds: RFC3339 has no fraction
    S, E = rfc3339(s), rfc3339(s + window)
    hs = rng.sample(range(n_hosts), min(hosts, n_hosts)) if hosts else []   # distinct, random order
    pred = "(" + " or ".join(f"hostname = 'host_{h}'" for h in hs) + ")"
    if kind == "single-groupby":
        sel = ", ".join(f"max({f})" for f in FIELDS[:metrics])
        return f"SELECT {sel} from cpu where {pred} and time >= '{S}' and time < '{E}' group by time(1m)"
    if kind == "cpu-max-all":
        sel = ",".join(f"max({f})" for f in FIELDS[:metrics])
        return f"SELECT {sel} from cpu where {pred} and time >= '{S}' and time < '{E}' group by time(1h)"
    if kind == "double-groupby":
        sel = ", ".join(f"mean({f})" for f in FIELDS[:metrics])
        return f"SELECT {sel} from cpu where time >= '{S}' and time < '{E}' group by time(1h),hostname"
    if kind == "high-cpu":
        return f"SELECT * from cpu where usage_user > 90.0 and {pred} and time >= '{S}' and time < '{E}'"
    if kind == "lastpoint":
        return 'SELECT * from cpu group by "hostname" order by time desc limit 1'
    if kind == "groupby-orderby-limit":
        return f"SELECT max(usage_user) from cpu WHERE time < '{E}' group by time(1m) limit 5"
    raise ValueError(name)


def make_queries(types, warmup, runs, seed, n_hosts, steps):
    """{type: [query text]}: warmup untimed ones first, then the timed ones; one seeded stream per type."""
    out = {}
    for name in types:
        rng = random.Random(f"{seed}/{name}")
        out[name] = [make_query(name, rng, n_hosts, steps) for _ in range(warmup + runs)]
    return out


# ---------------------------------------------------------------- HTTP

class Client:
    """One keep-alive http.client connection; reconnects after an error."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def get(self, path):
        """Returns (status, body bytes, seconds); status 0 with the exception text when it failed."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        t = time.perf_counter()
        try:
            if self.conn.sock is None:
                self.conn.connect()
                t = time.perf_counter()   # (re)connecting is not part of the query's latency
            self.conn.request("GET", path, headers={"Accept": "application/json"})
            resp = self.conn.getresponse()
            body = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            kind = "timeout" if isinstance(exc, socket.timeout) else type(exc).__name__
            return 0, f"{kind}: {exc}".encode(), time.perf_counter() - t
        return status, body, time.perf_counter() - t

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def check(name, status, body):
    """None when the answer is valid, else a short reason."""
    text = body.decode("utf-8", "replace")
    if status != 200:
        return f"HTTP {status}: {ingest.short(text)}"
    try:
        doc = json.loads(text)
    except ValueError:
        return f"not JSON: {ingest.short(text)}"
    if isinstance(doc, dict) and "error" in doc:
        return f"error: {ingest.short(str(doc['error']))}"
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list) or not results:
        return f"no results: {ingest.short(text)}"
    for r in results:
        if isinstance(r, dict) and "error" in r:
            return f"error: {ingest.short(str(r['error']))}"
    if name not in EMPTY_ALLOWED and not any(isinstance(r, dict) and r.get("series") for r in results):
        return f"empty result: {ingest.short(text)}"
    return None


def n_rows(body):
    try:
        doc = json.loads(body)
        return sum(len(s.get("values") or []) for r in doc.get("results", []) for s in r.get("series", []))
    except (ValueError, AttributeError, TypeError):
        return 0


# ---------------------------------------------------------------- one system

def load(system, args, bodies, first_line, proc, host, port, dirs):
    """CREATE DATABASE + probe write, all bodies through the ingest writers, then the settle wait.
    Returns (facts dict, None) or (None, reason the system cannot ingest)."""
    reason = ingest.create_and_probe(host, port, first_line)
    if reason:
        return None, reason
    threads, go, latencies, errors = ingest.send_all(host, port, bodies, args.writers, args.request_timeout)
    t0 = time.perf_counter()
    go.set()
    deadline = t0 + args.send_bound
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.perf_counter()))
    load_s = time.perf_counter() - t0
    if any(t.is_alive() for t in threads):
        raise BenchError(f"load not done after {args.send_bound:g} s")
    if errors:
        st, body = errors[0]
        raise BenchError(f"{len(errors)} batch(es) not answered 204 while loading (first: HTTP {st}: "
                         f"{ingest.short(body)})")
    if proc.poll() is not None:
        raise BenchError(f"server exited with code {proc.returncode} while loading")
    settle_s, settled = ingest.wait_settled(proc, [dirs["data"], dirs["wal"]], args.stable,
                                            args.settle_bound, FULL_COLD_S + 2.0)
    return {"load_s": load_s, "settle_s": settle_s, "settled": settled,
            "disk_mib": ingest.du(dirs["data"], dirs["wal"]) / 2**20}, None


def run_queries(system, args, queries, proc, host, port):
    """Runs every type's queries sequentially. Returns {type: result dict}."""
    client = Client(host, port, args.request_timeout)
    out = {}
    try:
        for name, qs in queries.items():
            def ask(q):
                params = {"db": DB, "q": q}
                if args.epoch:
                    params["epoch"] = args.epoch
                return client.get("/query?" + urllib.parse.urlencode(params))

            for q in qs[:args.warmup]:          # untimed; answers not checked
                ask(q)
            timed = qs[args.warmup:]
            lat, answers, ok, fails, first_err, skipped = [], [], [], 0, None, 0
            cpu0, busy0, me0 = ingest.cpu_seconds(proc.pid), ingest.machine_busy_seconds(), time.process_time()
            w0 = time.perf_counter()
            for i, q in enumerate(timed):
                status, body, secs = ask(q)
                lat.append(secs)
                answers.append((status, body))
                err = check(name, status, body)
                if err:
                    fails += 1
                    first_err = first_err or err
                else:
                    ok.append(secs)
                if proc.poll() is not None:
                    raise BenchError(f"server exited with code {proc.returncode} during {name}")
                if status == 0 and body.startswith(b"timeout"):
                    # a timed-out query would cost --request-timeout per remaining run: skip the rest
                    skipped = len(timed) - i - 1
                    break
            cpu1, busy1, me1 = ingest.cpu_seconds(proc.pid), ingest.machine_busy_seconds(), time.process_time()
            wall = max(1e-9, time.perf_counter() - w0)
            out[name] = {
                "lat": lat, "answers": answers, "fails": fails + skipped, "first_err": first_err,
                "ok_lat": ok, "skipped": skipped,
                "cpu_ms": (cpu1 - cpu0) * 1000 / max(1, len(lat)),
                "other_cores": max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (me1 - me0)) / wall,
                "wall": wall,
            }
            r = out[name]
            if ok:
                log(f"  {system['label']} {name}: median {statistics.median(ok) * 1000:.1f} ms, "
                    f"p95 {ingest.pct(ok, 95) * 1000:.1f} ms, {r['fails']} failure(s)")
            else:
                log(f"  {system['label']} {name}: all {len(timed)} failed ({first_err})")
    finally:
        client.close()
    return out


def measure(system, args, bodies, first_line, queries):
    workdir = tempfile.mkdtemp(prefix=f"cairn-query-{system['key']}-")
    proc = None
    try:
        if system["kind"] == "cairn":
            proc, host, port, dirs = ingest.start_cairn(args.cairn, workdir, args.timeout, args.cairn_env_dict)
        else:
            proc, host, port, dirs = ingest.start_influxd(args.influxd, workdir, args.timeout)
        log(f"{system['label']}: loading {sum(len(b) for b in bodies) / 2**20:.0f} MiB")
        facts, reason = load(system, args, bodies, first_line, proc, host, port, dirs)
        if reason:
            return {"unable_ingest": reason}
        log(f"{system['label']}: loaded in {facts['load_s']:.1f} s, settled after {facts['settle_s']:.1f} s"
            f"{'' if facts['settled'] else ' (NOT settled: bound reached)'}; querying")
        res = run_queries(system, args, queries, proc, host, port)
        facts["hwm_mib"] = ingest.status_kib(proc.pid, "VmHWM") / 1024
        facts["rss_mib"] = ingest.status_kib(proc.pid, "VmRSS") / 1024
        return {"facts": facts, "types": res}
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

def ms(x):
    return f"{x * 1000:.1f}" if x == x else "—"


def json_equal(a, b):
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def build_report(args, systems, results, facts, reproduce, data_facts, queries):
    cairn = next((s for s in systems if s["kind"] == "cairn"), None)
    influx = next((s for s in systems if s["kind"] == "influxd"), None)
    types = list(queries)

    def stat(key, name):
        """(median, p95, failures, runs, first error) for the valid answers, or None when no results."""
        r = results.get(key) or {}
        t = (r.get("types") or {}).get(name)
        if t is None:
            return None
        ok = t["ok_lat"]
        med = statistics.median(ok) if ok else float("nan")
        p95 = ingest.pct(ok, 95) if ok else float("nan")
        return med, p95, t["fails"], len(t["lat"]) + t["skipped"], t["first_err"]

    head = ["query type"]
    for s in systems:
        head += [f"{s['label']} median ms", f"{s['label']} p95 ms"]
    both = cairn is not None and influx is not None
    if both:
        head += ["Cairn / influxd median", "Cairn / influxd p95", "identical answers (bytes / JSON)"]
    head += [f"failures {s['label']}" for s in systems]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    verdict_parts, holds = [], both
    for name in types:
        cells = [name]
        st = {s["key"]: stat(s["key"], name) for s in systems}
        for s in systems:
            x = st[s["key"]]
            if x is None:
                cells += ["—", "—"]
            elif not x[3] - x[2]:
                cells += ["not yet able" if s["kind"] == "cairn" else "all failed", "—"]
            else:
                cells += [ms(x[0]), ms(x[1])]
        if both:
            c, i = st[cairn["key"]], st[influx["key"]]
            if c and i and c[3] - c[2] and i[3] - i[2]:
                rm, rp = c[0] / i[0], c[1] / i[1]
                cells += [f"{rm:.2f}×", f"{rp:.2f}×"]
                ok = rm <= GOAL_MEDIAN and c[2] == 0
                verdict_parts.append(f"{name} {rm:.2f}×" + ("" if c[2] == 0 else f" with {c[2]} failure(s)"))
            else:
                cells += ["—", "—"]
                ok = False
                verdict_parts.append(f"{name} not yet able" if c else f"{name} not measured")
            holds = holds and ok
            ta = ((results.get(cairn["key"]) or {}).get("types") or {}).get(name)
            tb = ((results.get(influx["key"]) or {}).get("types") or {}).get(name)
            if ta and tb:
                pairs = list(zip(ta["answers"], tb["answers"]))
                same = sum(1 for a, b in pairs if a == b)
                eq = sum(1 for a, b in pairs if a[0] == b[0] == 200 and json_equal(a[1], b[1]))
                cells.append(f"{same} / {eq} of {len(queries[name]) - args.warmup}")
            else:
                cells.append("—")
        for s in systems:
            x = st[s["key"]]
            cells.append("—" if x is None else f"{x[2]} of {x[3]}")
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    # second table: answer sizes and server CPU per query
    head2 = ["query type"]
    for s in systems:
        head2 += [f"{s['label']} server CPU ms/query", f"{s['label']} non-empty answers",
                  f"{s['label']} rows (median)",
                  f"{s['label']} body KiB (median)", f"{s['label']} other cores busy"]
    lines2 = ["| " + " | ".join(head2) + " |", "|" + "---|" * len(head2)]
    for name in types:
        cells = [name]
        for s in systems:
            t = ((results.get(s["key"]) or {}).get("types") or {}).get(name)
            if t is None:
                cells += ["—"] * 5
                continue
            good = [b for st, b in t["answers"] if check(name, st, b) is None]
            cells += [f"{t['cpu_ms']:.1f}", f"{sum(1 for b in good if n_rows(b))} of {len(good)}",
                      f"{statistics.median(n_rows(b) for b in good):.0f}" if good else "—",
                      f"{statistics.median(len(b) for b in good) / 1024:.1f}" if good else "—",
                      f"{t['other_cores']:.2f}" if t["wall"] >= 1.0 else "(< 1 s)"]
        lines2.append("| " + " | ".join(cells) + " |")
    table2 = "\n".join(lines2)

    notes = []
    for s in systems:
        r = results.get(s["key"]) or {}
        if "unable_ingest" in r:
            notes.append(f"- **{s['label']}: not yet able to ingest ({r['unable_ingest']}); no queries run.**")
            continue
        ts = r.get("types") or {}
        failing = {n: t for n, t in ts.items() if t["fails"]}
        if failing and all(not t["ok_lat"] for t in ts.values()):
            errs = sorted({t["first_err"] for t in ts.values() if t["first_err"]})
            notes.append(f"- **{s['label']}: not yet able to answer any of the query types** "
                         f"(first errors: {'; '.join(errs)})")
        else:
            for n, t in failing.items():
                extra = f", {t['skipped']} skipped after a timeout" if t["skipped"] else ""
                notes.append(f"- **{s['label']} {n}: {t['fails']} failure(s){extra}; first: {t['first_err']}**")
        f = r.get("facts")
        if f and not f["settled"]:
            notes.append(f"- {s['label']}: the data dir did not settle within {args.settle_bound:g} s; "
                         f"queries ran while compaction may still have been running.")

    load_rows = ["| system | load s | settle s | data+wal MiB | VmRSS after queries MiB | VmHWM MiB |",
                 "|---|---|---|---|---|---|"]
    for s in systems:
        f = (results.get(s["key"]) or {}).get("facts")
        if f:
            load_rows.append(f"| {s['label']} | {f['load_s']:.1f} | {f['settle_s']:.1f} | {f['disk_mib']:.1f} | "
                             f"{f['rss_mib']:.0f} | {f['hwm_mib']:.0f} |")

    examples = "\n".join(f"- {n}: `{queries[n][args.warmup]}`" for n in types)

    if not both:
        goals = "GOALS: not evaluated (needs both Cairn and influxd in --systems)"
    elif not any(c for c in verdict_parts if not c.endswith(" not yet able")):
        err = sorted({t["first_err"] for t in ((results.get(cairn["key"]) or {}).get("types") or {}).values()
                      if t["first_err"]})
        why = results.get(cairn["key"], {}).get("unable_ingest") or "; ".join(err) or "no answers"
        goals = (f"GOALS: median ≤ {GOAL_MEDIAN:g}× influxd for every type: FAILS (Cairn not yet able for any "
                 f"of the {len(types)} types: {why})")
    else:
        goals = (f"GOALS: median ≤ {GOAL_MEDIAN:g}× influxd for every type: {'HOLDS' if holds else 'FAILS'} "
                 f"({'; '.join(verdict_parts)})")

    span_min = args.steps * INTERVAL_NS / 1e9 / 60
    env_note = ""
    if args.cairn_env:
        env_note = "\nExtra environment for the Cairn processes: `" + " ".join(args.cairn_env) + "`\n"
    notes_txt = ("\n" + "\n".join(notes) + "\n") if notes else ""
    report = f"""# Cairn queries vs influxd (TSBS query types)

{table}
{notes_txt}
Latency is the wall time of one `GET /query?db={DB}&q=…{'&epoch=' + args.epoch if args.epoch else ''}` on a keep-alive loopback
connection, from sending the request to having read the whole answer; queries run one at a time.
{args.runs} timed queries per type and system (after {args.warmup} untimed warm-up quer{'y' if args.warmup == 1 else 'ies'} per type),
each with its own random hosts and time window (seed {args.seed}); both systems get exactly the same
queries. Median and p95 (nearest rank) are over the valid answers. A failure is an HTTP status other than 200,
an "error" in the body, or a result without series (allowed for high-cpu-1 only, where one random host
often never exceeds usage_user 90 in the window). "Identical answers" counts queries whose bodies are
byte-identical / equal as parsed JSON between Cairn and influxd.

Data: the ingest benchmark's TSBS-shaped `cpu` data, {args.hosts} hosts × {args.steps} steps of 10 s from
2016-01-01T00:00:00Z = {data_facts['lines']:,} lines = {data_facts['values']:,} integer values (seed {args.seed}),
loaded with {args.writers} writers in bodies of {args.batch} lines, then left to settle (data+wal size unchanged
for {args.stable:g} s, at least {FULL_COLD_S + 2:g} s, bounded {args.settle_bound:g} s; cache-snapshot-write-cold-duration 2s,
compact-full-write-cold-duration 5s) before the first query. The data spans {span_min:.1f} min: windows of
1 h fit inside it and are placed at random; the 8 h (cpu-max-all-8) and 12 h (double-groupby-1, high-cpu-1)
windows are longer than the data and start at its first timestamp, so they cover all of it.
Each system runs on its own fresh server (temp dirs, loopback), one after the other.
{env_note}
Queries (the first timed one of each type):

{examples}

Server CPU per query is utime+stime from /proc/PID/stat over the timed queries of the type, divided
by their number (the kernel counts in 10 ms ticks, so small values are coarse). Rows and body size
are over the valid answers. "Other cores busy" is the machine's busy CPU (/proc/stat) minus server
and client over the wall time of the type's timed queries: noise from neighbours, 2 cores here;
shown only when that wall time is at least 1 s.

{table2}

Load phase:

{chr(10).join(load_rows)}

{ingest.machine_table(facts, data_facts['loadavg'], args)}

Reproduce: `{reproduce}`

{goals}
"""
    return report


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--systems", default="influxd,cairn", help="systems to measure, in this order (default influxd,cairn)")
    p.add_argument("--runs", type=int, default=20, help="timed queries per type and system (default 20)")
    p.add_argument("--warmup", type=int, default=1, help="untimed queries per type first (default 1)")
    p.add_argument("--types", default=",".join(TYPES), help="query types (default: all seven)")
    p.add_argument("--hosts", type=int, default=1000, help="hosts = series (default 1000)")
    p.add_argument("--steps", type=int, default=400, help="10 s steps per host (default 400)")
    p.add_argument("--seed", type=int, default=42, help="data and query seed (default 42)")
    p.add_argument("--batch", type=int, default=5000, help="lines per body while loading (default 5000)")
    p.add_argument("--writers", type=int, default=4, help="concurrent HTTP writers while loading (default 4)")
    p.add_argument("--epoch", default="", choices=["", "ns", "u", "ms", "s"],
                   help="add &epoch=… to the queries (default none: RFC3339 times, as TSBS)")
    p.add_argument("--stable", type=float, default=8.0,
                   help="data+wal size must be unchanged this long before querying, s (default 8)")
    p.add_argument("--settle-bound", type=float, default=120.0, help="cap on the settle wait, s (default 120)")
    p.add_argument("--send-bound", type=float, default=900.0, help="cap on the load phase, s (default 900)")
    p.add_argument("--request-timeout", type=float, default=60.0,
                   help="HTTP timeout per request, s (default 60); after a timed-out query the rest of "
                        "that type is skipped and counted as failures")
    p.add_argument("--timeout", type=float, default=30.0, help="cap on one server start, s (default 30)")
    p.add_argument("--cairn", default=os.path.join(ROOT, "bin", "cairn"), help="Cairn binary (default bin/cairn)")
    p.add_argument("--influxd", default=shutil.which("influxd") or "/usr/bin/influxd",
                   help="influxd binary (default from PATH, else /usr/bin/influxd)")
    p.add_argument("--cairn-env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra environment for the Cairn process (repeatable)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"),
                   help="directory for query-<date>.md (default bench/results)")
    args = p.parse_args(argv)
    if not 1 <= args.runs <= 10_000 or not 0 <= args.warmup <= 100:
        p.error("--runs must be 1..10000 and --warmup 0..100")
    if not (1 <= args.hosts <= 1_000_000 and 1 <= args.steps <= 100_000 and 1 <= args.batch <= 1_000_000
            and 1 <= args.writers <= 64):
        p.error("--hosts, --steps, --batch or --writers out of range")
    if args.hosts * args.steps > 20_000_000:
        p.error("--hosts × --steps above 20 M lines (the bodies are held in memory)")
    if not 0 < args.request_timeout <= 3600:
        p.error("--request-timeout must be 0..3600 s")
    args.system_list = [s.strip() for s in args.systems.split(",") if s.strip()]
    if not args.system_list or any(s not in ("influxd", "cairn") for s in args.system_list) \
            or len(set(args.system_list)) != len(args.system_list):
        p.error("--systems is a comma list of influxd, cairn")
    args.type_list = [t.strip() for t in args.types.split(",") if t.strip()]
    if not args.type_list or any(t not in TYPES for t in args.type_list):
        p.error("--types is a comma list of " + ", ".join(TYPES))
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
    results = {}

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    reproduce = os.environ.get("BENCH_REPRODUCE") or shlex.join(["bench/query/run.sh"] + argv)
    with open("/proc/loadavg") as f:
        loadavg = " ".join(f.read().split()[:3])
    queries = make_queries(args.type_list, args.warmup, args.runs, args.seed, args.hosts, args.steps)
    datadir = tempfile.mkdtemp(prefix="cairn-query-data-")
    binaries_before = {p: (os.stat(p).st_size, os.stat(p).st_mtime_ns)
                       for p in (need[n] for n in args.system_list)}
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
        data_facts = {"lines": total_lines, "values": total_lines * len(FIELDS), "loadavg": loadavg}
        log(f"generated {total_lines:,} lines, {sum(len(b) for b in bodies) / 2**20:.1f} MiB "
            f"in {time.perf_counter() - t:.1f} s")
        for s in systems:
            r = measure(s, args, bodies, first_line, queries)
            results[s["key"]] = r
            if "unable_ingest" in r:
                log(f"{s['label']}: not yet able to ingest ({r['unable_ingest']})")
        del bodies
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
    report = build_report(args, systems, results, facts, reproduce, data_facts, queries)
    print(report, end="")
    os.makedirs(args.out, exist_ok=True)
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(args.out, f"query-{day}.md")
    with open(path, "w") as f:
        f.write(report)
    log(f"report written to {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}")
    # influxd is the reference: its failures make the run invalid; Cairn's are reported, not fatal
    bad = any(t["fails"] for s in systems if s["kind"] == "influxd"
              for t in ((results.get(s["key"]) or {}).get("types") or {}).values())
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        stop_all()
        print("interrupted", file=sys.stderr)
        sys.exit(130)
