#!/usr/bin/env python3
"""Appliance benchmark: Cairn (role data, role both) next to InfluxDB 1.6.7 on this machine.

Measures, in one run and with the systems interleaved run by run:
  * startup: wall time from just before the process is spawned to the first
    successful `GET /ping` (polled every --poll-ms, capped at --timeout s);
  * idle RSS: VmRSS of the server process --idle seconds after that first /ping;
  * binary size of bin/cairn and of influxd.
Each start gets a fresh temporary data directory and loopback ports.

Prints a markdown report and writes it to bench/results/startup-<date>.md.
Python 3 standard library only. Every process it starts is stopped before it exits.
"""

import argparse
import datetime
import http.client
import os
import platform
import re
import selectors
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_RATIO = 1.5

# Every process started here, so the finally blocks can stop whatever is still alive.
LIVE = []


class BenchError(Exception):
    pass


def log(msg):
    print(f"--> {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def spawn(argv, cwd, env, stdout, stderr):
    """Starts argv in its own process group and registers it for cleanup."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=stdout, stderr=stderr, start_new_session=True)
    LIVE.append(proc)
    return proc


def stop(proc, grace=5.0):
    """SIGTERM, then SIGKILL after `grace` seconds; signals only the group this script created."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=grace)
    if proc in LIVE:
        LIVE.remove(proc)


def stop_all():
    for proc in list(LIVE):
        try:
            stop(proc)
        except Exception as exc:  # keep going: the others must be stopped too
            log(f"could not stop pid {proc.pid}: {exc}")


def free_port():
    """A loopback port that was free a moment ago (influxd cannot listen on port 0 and report it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ping_once(host, port, timeout):
    """True when GET /ping answers 2xx."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/ping")
        resp = conn.getresponse()
        resp.read()
        return 200 <= resp.status < 300
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def wait_ping(proc, host, port, deadline, poll_s):
    """Polls /ping until it answers, the process dies or the deadline passes. Returns the time it answered."""
    while True:
        now = time.perf_counter()
        if now >= deadline:
            raise BenchError(f"/ping on {host}:{port} did not answer in time")
        if proc.poll() is not None:
            raise BenchError(f"process exited with code {proc.returncode} before /ping answered")
        if ping_once(host, port, timeout=max(0.001, min(1.0, deadline - now))):
            return time.perf_counter()
        time.sleep(poll_s)


def read_ready_line(proc, deadline):
    """Reads stdout until the READY line (event driven, no polling). Returns the line."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise BenchError("no READY line in time")
            if not sel.select(timeout=remaining):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise BenchError(f"stdout closed before READY (exit code {proc.poll()})")
            buf += chunk
            for line in buf.split(b"\n")[:-1]:
                if line.startswith(b"READY "):
                    return line.decode("utf-8", "replace")
    finally:
        sel.close()


def drain(stream):
    """Keeps reading a pipe so the child never blocks on a full pipe; ends at EOF."""
    def run():
        try:
            while stream.read(65536):
                pass
        except (OSError, ValueError):
            pass
    threading.Thread(target=run, daemon=True).start()


def proc_status(pid):
    """VmRSS, RssAnon, RssFile in KiB and Threads from /proc/PID/status."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                out[key] = int(value.split()[0])
    return out


# ---------------------------------------------------------------- systems

def cairn_env(extra):
    env = dict(os.environ)
    # No licence and no config: the zero-config run with the embedded development licence.
    for key in list(env):
        if key.startswith("CAIRN_"):
            del env[key]
    env.update({
        "CAIRN_HTTP_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_BIND_ADDRESS": "127.0.0.1:0",
        "CAIRN_META_HTTP_BIND_ADDRESS": "127.0.0.1:0",
    })
    env.update(extra)
    return env


def start_cairn(binary, role, extra_env, workdir, timeout, poll_s):
    """Starts `cairn run --role ROLE` in workdir (data lands in workdir/var). Returns (proc, t0, t_ping)."""
    env = cairn_env(extra_env)
    with open(os.path.join(workdir, "stderr.log"), "wb") as err:
        t0 = time.perf_counter()
        proc = spawn([binary, "run", "--role", role], workdir, env, subprocess.PIPE, err)
    deadline = t0 + timeout
    line = read_ready_line(proc, deadline)
    drain(proc.stdout)
    m = re.search(r"\bhttp=(\S+):(\d+)", line)
    if not m:
        raise BenchError(f"READY line without http=: {line!r}")
    host, port = m.group(1).strip("[]"), int(m.group(2))
    t_ping = wait_ping(proc, host, port, deadline, poll_s)
    return proc, t0, t_ping


INFLUXD_CONF = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"

[meta]
  dir = "{d}/meta"

[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"

[monitor]
  store-enabled = false

[http]
  bind-address = "127.0.0.1:{http}"
"""


def start_influxd(binary, workdir, timeout, poll_s):
    """Starts influxd with a generated config (fresh dirs in workdir, fixed free loopback ports)."""
    http_port, rpc_port = free_port(), free_port()
    while rpc_port == http_port:
        rpc_port = free_port()
    conf = os.path.join(workdir, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(INFLUXD_CONF.format(d=workdir, rpc=rpc_port, http=http_port))
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("INFLUXDB_"):
            del env[key]
    env.update({
        "INFLUXDB_HTTP_BIND_ADDRESS": f"127.0.0.1:{http_port}",
        "INFLUXDB_BIND_ADDRESS": f"127.0.0.1:{rpc_port}",
        "INFLUXDB_META_DIR": os.path.join(workdir, "meta"),
        "INFLUXDB_DATA_DIR": os.path.join(workdir, "data"),
        "INFLUXDB_DATA_WAL_DIR": os.path.join(workdir, "wal"),
        "INFLUXDB_REPORTING_DISABLED": "true",
        "INFLUXDB_MONITOR_STORE_ENABLED": "false",
    })
    with open(os.path.join(workdir, "stderr.log"), "wb") as err:
        t0 = time.perf_counter()
        proc = spawn([binary, "run", "-config", conf], workdir, env, subprocess.DEVNULL, err)
    t_ping = wait_ping(proc, "127.0.0.1", http_port, t0 + timeout, poll_s)
    return proc, t0, t_ping


def measure(system, args, keep_going=True):
    """One start of one system: returns a dict with startup_ms and the /proc status after the idle wait."""
    workdir = tempfile.mkdtemp(prefix=f"cairn-bench-{system['key']}-")
    proc = None
    try:
        if system["kind"] == "cairn":
            proc, t0, t_ping = start_cairn(args.cairn, system["role"], args.cairn_env_dict,
                                           workdir, args.timeout, args.poll_ms / 1000.0)
        else:
            proc, t0, t_ping = start_influxd(args.influxd, workdir, args.timeout, args.poll_ms / 1000.0)
        startup_ms = (t_ping - t0) * 1000.0
        time.sleep(args.idle)
        if proc.poll() is not None:
            raise BenchError(f"exited with code {proc.returncode} while idle")
        status = proc_status(proc.pid)
        return {"startup_ms": startup_ms, **status}
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

def p90(values):
    """Nearest-rank 90th percentile."""
    s = sorted(values)
    rank = max(1, -(-9 * len(s) // 10))  # ceil(0.9 n)
    return s[rank - 1]


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_facts(args):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    commit = sh(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if sh(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (work tree has uncommitted changes)"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh(["nproc"]) or str(os.cpu_count()),
        "cpu": cpu or platform.processor() or "unknown",
        "memory": mem or "unknown",
        "kernel": f"{platform.system()} {platform.release()}",
        "commit": commit,
        "cairn_version": (sh([args.cairn, "version"]).splitlines() or ["unknown"])[0],
        "influxd_version": sh([args.influxd, "version"]) or "unknown",
        "python": platform.python_version(),
    }


def mib(n_bytes):
    return n_bytes / (1024 * 1024)


def ratio(a, b):
    return a / b if b else float("nan")


def build_report(args, systems, results, facts, reproduce):
    influx = next(s for s in systems if s["kind"] == "influxd")
    cairns = [s for s in systems if s["kind"] == "cairn"]

    def stats(key):
        r = results[key]
        return {
            "startup_med": statistics.median(x["startup_ms"] for x in r),
            "startup_p90": p90([x["startup_ms"] for x in r]),
            "rss_med": statistics.median(x["VmRSS"] for x in r) / 1024.0,
            "anon_med": statistics.median(x.get("RssAnon", 0) for x in r) / 1024.0,
            "file_med": statistics.median(x.get("RssFile", 0) for x in r) / 1024.0,
            "threads": statistics.median(x.get("Threads", 0) for x in r),
            "size": mib(os.path.getsize(s_path(key, args))),
        }

    st = {s["key"]: stats(s["key"]) for s in systems}
    ref = st[influx["key"]]

    rows = [
        ("startup to first /ping, median (ms)", "startup_med", "{:.1f}"),
        ("startup to first /ping, p90 (ms)", "startup_p90", "{:.1f}"),
        (f"idle RSS {args.idle:g} s after /ping, median (MiB)", "rss_med", "{:.1f}"),
        ("  of which anonymous (MiB)", "anon_med", "{:.1f}"),
        ("  of which file-backed (MiB)", "file_med", "{:.1f}"),
        ("threads when idle", "threads", "{:.0f}"),
        ("binary size (MiB)", "size", "{:.1f}"),
    ]
    head = ["metric"] + [s["label"] for s in cairns] + [influx["label"]] + \
           [f"{s['label']} / influxd" for s in cairns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for title, key, fmt in rows:
        cells = [title] + [fmt.format(st[s["key"]][key]) for s in cairns] + [fmt.format(ref[key])]
        cells += [f"{ratio(st[s['key']][key], ref[key]):.2f}×" for s in cairns]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    verdicts = []
    all_ok = True
    for metric, key in (("startup", "startup_med"), ("idle RSS", "rss_med")):
        parts = []
        ok = True
        for s in cairns:
            r = ratio(st[s["key"]][key], ref[key])
            ok = ok and r <= GOAL_RATIO
            parts.append(f"{s['label']} {r:.2f}×")
        all_ok = all_ok and ok
        verdicts.append(f"{metric} ≤ {GOAL_RATIO}× influxd: {'HOLDS' if ok else 'FAILS'} ({', '.join(parts)})")

    env_note = ""
    if args.cairn_env:
        env_note = "\nExtra environment for the Cairn processes: `" + " ".join(args.cairn_env) + "`\n"

    report = f"""# Cairn startup and idle footprint vs influxd

{table}

Medians over {args.runs} runs per system (p90 by nearest rank), systems interleaved run by run,
{args.warmup} untimed warm-up start(s) per system first. Startup is the wall time from just before the
process is spawned to the first 2xx answer of `GET /ping` (polled every {args.poll_ms:g} ms; for Cairn the
port comes from its READY line, which is awaited first). Idle RSS is VmRSS from /proc/PID/status
{args.idle:g} s after that first answer. Each start uses a fresh temporary data directory and loopback ports.
{env_note}
| machine | |
|---|---|
| date | {facts['date']} |
| nproc | {facts['nproc']} |
| CPU | {facts['cpu']} |
| memory | {facts['memory']} |
| kernel | {facts['kernel']} |
| commit | {facts['commit']} |
| cairn | {facts['cairn_version']} (`{args.cairn}`) |
| influxd | {facts['influxd_version']} (`{args.influxd}`) |
| python | {facts['python']} |

Reproduce: `{reproduce}`

GOALS: {'; '.join(verdicts)}
"""
    return report, all_ok


def s_path(key, args):
    return args.influxd if key == "influxd" else args.cairn


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=15, help="timed starts per system (default 15)")
    p.add_argument("--warmup", type=int, default=1, help="untimed starts per system first (default 1)")
    p.add_argument("--idle", type=float, default=3.0, help="seconds to idle before reading VmRSS (default 3)")
    p.add_argument("--timeout", type=float, default=10.0, help="cap on one startup, seconds (default 10)")
    p.add_argument("--poll-ms", type=float, default=1.0, help="/ping poll interval, ms (default 1)")
    p.add_argument("--cairn", default=os.path.join(ROOT, "bin", "cairn"), help="Cairn binary (default bin/cairn)")
    p.add_argument("--influxd", default=shutil.which("influxd") or "/usr/bin/influxd",
                   help="influxd binary (default from PATH, else /usr/bin/influxd)")
    p.add_argument("--roles", default="data,both", help="Cairn roles to measure (default data,both)")
    p.add_argument("--cairn-env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra environment for the Cairn processes (repeatable), for experiments")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"),
                   help="directory for startup-<date>.md (default bench/results)")
    args = p.parse_args(argv)
    if not 1 <= args.runs <= 1000 or not 0 <= args.warmup <= 10:
        p.error("--runs must be 1..1000 and --warmup 0..10")
    if not 0 < args.timeout <= 120 or not 0 <= args.idle <= 600 or not 0 < args.poll_ms <= 1000:
        p.error("--timeout, --idle or --poll-ms out of range")
    finish_cairn_args(p, args)
    return args


def finish_cairn_args(p, args):
    """--cairn-env KEY=VALUE items into args.cairn_env_dict, --cairn made absolute (shared with ingest.py)."""
    args.cairn_env_dict = {}
    for kv in args.cairn_env:
        key, sep, value = kv.partition("=")
        if not sep or not key:
            p.error(f"--cairn-env wants KEY=VALUE, got {kv!r}")
        args.cairn_env_dict[key] = value
    args.cairn = os.path.abspath(args.cairn)


def main(argv):
    args = parse_args(argv)
    for path in (args.cairn, args.influxd):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"not an executable: {path} (build with ./build.sh; install influxd with "
                  f"apt-get install influxdb)", file=sys.stderr)
            return 2
    if not sys.platform.startswith("linux"):
        print("this benchmark reads /proc and runs on Linux only", file=sys.stderr)
        return 2

    systems = [{"key": f"cairn-{r}", "kind": "cairn", "role": r, "label": f"Cairn {r}"}
               for r in args.roles.split(",") if r]
    systems.append({"key": "influxd", "kind": "influxd", "label": "influxd"})
    results = {s["key"]: [] for s in systems}

    # SIGTERM/SIGHUP to this script unwind through the finally below like Ctrl+C does.
    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    reproduce = os.environ.get("BENCH_REPRODUCE") or shlex.join(["bench/run.sh"] + argv)
    binaries_before = {p: (os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in (args.cairn, args.influxd)}
    try:
        for i in range(args.warmup):
            for s in systems:
                log(f"warm-up {i + 1}/{args.warmup}: {s['label']}")
                measure(dict(s), argparse.Namespace(**{**vars(args), "idle": 0.0}))
        for i in range(args.runs):
            # Rotate the order every run so drift and neighbours' noise spread over all systems.
            order = systems[i % len(systems):] + systems[:i % len(systems)]
            for s in order:
                r = measure(s, args)
                results[s["key"]].append(r)
                log(f"run {i + 1}/{args.runs} {s['label']}: {r['startup_ms']:.1f} ms, "
                    f"VmRSS {r['VmRSS'] / 1024:.1f} MiB")
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all()

    for path, before in binaries_before.items():
        st = os.stat(path)
        if (st.st_size, st.st_mtime_ns) != before:
            log(f"WARNING: {path} changed during the run (rebuilt?); the numbers mix two binaries")
    facts = machine_facts(args)
    report, ok = build_report(args, systems, results, facts, reproduce)
    print(report, end="")
    os.makedirs(args.out, exist_ok=True)
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(args.out, f"startup-{day}.md")
    with open(path, "w") as f:
        f.write(report)
    log(f"report written to {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        stop_all()
        print("interrupted", file=sys.stderr)
        sys.exit(130)
