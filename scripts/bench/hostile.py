#!/usr/bin/env python3
"""Hostile requests against the real `signalbox serve`, one binary per column (before / after).

Run by scripts/bench-hostile.sh, which sets up the broker vhost and builds or names the binaries.
Every row of the table gets a fresh SQLite file and a fresh `serve` per binary, so the peak
memory (VmHWM) is that request's own; set-up (actions, schedules) runs on a serve of its own
that is stopped before the measured one starts. A request that passes --timeout, or a serve whose
resident memory passes --memory-cap-mib, ends that row for that binary: the serve is killed.
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

MIB = 1 << 20
NAMESPACE = "bench"
# Stop repeating a row once its requests have taken this long: one figure is enough there.
REPEAT_BUDGET_SECONDS = 30


def log(message):
    print(f"[bench-hostile] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_write_bytes(pid):
    try:
        with open(f"/proc/{pid}/io") as io:
            for line in io:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Serve:
    """One `signalbox serve` on 127.0.0.1 with its own SQLite file, watched for memory."""

    def __init__(self, binary, environment, log_path, memory_cap_mib):
        self.binary = binary
        self.environment = environment
        self.log_path = log_path
        self.memory_cap_kib = memory_cap_mib * 1024
        self.port = free_port()
        self.process = None
        self.killed_for_memory = False
        self.last_hwm_kib = None
        self._watching = False

    def start(self):
        env = dict(self.environment, SIGNALBOX_HTTP_HOST="127.0.0.1", SIGNALBOX_HTTP_PORT=str(self.port))
        with open(self.log_path, "ab") as serve_log:
            self.process = subprocess.Popen([self.binary, "serve", "--config", env["BENCH_CONFIG"]], env=env,
                                            stdout=serve_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode} at start (log {self.log_path})")
            try:
                status, _, _ = http_request(self.port, "GET", "/health/live", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"serve did not answer /health/live within 60 s (log {self.log_path})")
        self._watching = True
        threading.Thread(target=self._watch_memory, daemon=True).start()

    def _watch_memory(self):
        while self._watching and self.process.poll() is None:
            rss = proc_status_kib(self.process.pid, "VmRSS")
            hwm = proc_status_kib(self.process.pid, "VmHWM")
            if hwm is not None:
                self.last_hwm_kib = hwm
            if rss is not None and rss > self.memory_cap_kib:
                self.killed_for_memory = True
                self.process.kill()
                return
            time.sleep(0.05)

    def rss_kib(self):
        return proc_status_kib(self.process.pid, "VmRSS")

    def hwm_kib(self):
        hwm = proc_status_kib(self.process.pid, "VmHWM")
        return hwm if hwm is not None else self.last_hwm_kib

    def write_bytes(self):
        return proc_write_bytes(self.process.pid)

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self._watching = False
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        self._watching = False
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def http_request(port, method, path, body=None, token=None, timeout=120.0):
    """(status, seconds, response bytes); raises socket.timeout or a connection error."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, time.perf_counter() - started, data
    finally:
        connection.close()


def compact(value):
    return json.dumps(value, separators=(",", ":")).encode()


# --------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------

def nested_array(depth):
    value = [0]
    for _ in range(depth):
        value = [0, value]
    return value


def or_chain(target_bytes):
    """`$.a != null || $.a != null || …` of at most target_bytes."""
    term, separator = "$.a != null", " || "
    count = max(1, (target_bytes + len(separator)) // (len(term) + len(separator)))
    return separator.join([term] * count)


def nested_explanation_filter(depth, term_bytes):
    """Alternating || and && nested `depth` deep; with {"a": 1} every level is evaluated, and an
    explanation that quotes each subtree repeats the text below it at every level."""
    padding = "x" * max(0, term_bytes - len("$.b == ''"))
    text = f"$.b == '{padding}'"
    for level in range(depth):
        text = (f"$.b == '{padding}' || ({text})" if level % 2 == 0 else f"$.a == 1 && ({text})")
    return text


def wide_object(members):
    return {str(index): 0 for index in range(members)}


def app_config(extra=None):
    config = {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}}
    if extra:
        config.update(extra)
    return config


def action_body(name, config=None):
    return {"name": name, "actions": [{"name": "run", "config": config or app_config()}]}


# --------------------------------------------------------------------------------------------
# Rows: kind, request label, set-up, one measured request, environment of the after column
# --------------------------------------------------------------------------------------------

class Row:
    def __init__(self, kind, label, run, setup=None, after_environment=None, before=True, repeats=None):
        self.kind = kind
        self.label = label
        self.run = run
        self.setup = setup
        self.after_environment = after_environment or {}
        self.before = before
        self.repeats = repeats


def filter_test(filter_text, events):
    body = compact({"filter": filter_text, "events": events})

    def run(context, attempt):
        return context.request("POST", "/filters/test", body)
    return run, len(body)


def create_action_setup(context):
    status, _, data = context.request("POST", f"/namespaces/{NAMESPACE}/automated-actions",
                                      compact(action_body("holder")))
    if status != 201:
        raise RuntimeError(f"creating the action for triggers answered {status}: {data[:300]!r}")
    context.state["action_id"] = json.loads(data)["id"]


def save_trigger(filter_text):
    def run(context, attempt):
        body = compact({"name": f"huge-{attempt}", "triggerType": "AppProcessUpdated", "eventFilter": filter_text})
        return context.request("POST", f"/automated-actions/by-id/{context.state['action_id']}/message-triggers", body)
    return run


def create_wide_action(members):
    extra = wide_object(members)

    def run(context, attempt):
        body = compact(action_body(f"wide-{members}-{attempt}", app_config(extra)))
        return context.request("POST", f"/namespaces/{NAMESPACE}/automated-actions", body)
    return run, len(compact(action_body("wide", app_config(extra))))


def upcoming_setup(actions, schedules_per_action):
    # Every second of one day in June: 1,000 occurrences per schedule, none of them firing now.
    def setup(context):
        for first in range(0, actions, 1000):
            definitions = [{
                "name": f"calendar-{index}", "namespace": NAMESPACE,
                "actions": [{"name": "run", "config": app_config()}],
                "schedules": [{"name": f"s{slot}", "cron": f"* * * 15 6 *"} for slot in range(schedules_per_action)],
            } for index in range(first, min(actions, first + 1000))]
            status, seconds, data = context.request("POST", "/definitions/apply",
                                                    compact({"automatedActions": definitions}))
            if status != 200:
                raise RuntimeError(f"apply answered {status}: {data[:300]!r}")
            log(f"  applied actions {first}..{first + len(definitions) - 1} in {seconds:.1f} s")
    return setup


def upcoming(context, attempt):
    return context.request("GET", "/automated-actions/upcoming?limit=1000")


def hammer_health(connections, seconds):
    def run(context, attempt):
        written = context.serve.write_bytes()
        output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                                 f"http://127.0.0.1:{context.serve.port}/health/ready"],
                                capture_output=True, text=True, timeout=seconds + 60).stdout
        written_after = context.serve.write_bytes()
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        errors = re.search(r"Socket errors:(.*)", output)
        note = (f"{float(rate.group(1)):,.0f} calls/s, p99 {p99.group(1) if p99 else '?'}, "
                f"{(written_after - written) / MIB:.1f} MiB written"
                if rate and written is not None and written_after is not None else "wrk output unreadable")
        if non2xx:
            note += f", {non2xx.group(1)} non-2xx"
        if errors:
            note += f", socket errors{errors.group(1)}"
        return "wrk", float(seconds), note
    return run


def rows(arguments):
    raised = {"SIGNALBOX_FILTERS_MAX_TEXT_BYTES": "1048576"}
    result = []
    depth = arguments.descendant_depth
    run, size = filter_test("$..*..*..*..*..*", [{"a": nested_array(depth)}])
    result.append(Row("1 descendants", f"`/filters/test` `$..*..*..*..*..*` over an array nested {depth} deep "
                      f"({size} B body)", run))
    run, size = filter_test("count($..*..*..*..*..*) > 0", [{"a": nested_array(depth)}])
    result.append(Row("1 descendants", f"`/filters/test` `count($..*..*..*..*..*) > 0`, the same event "
                      f"(every node needed)", run))

    explained = nested_explanation_filter(60, 230)
    run, size = filter_test(explained, [{"a": 1}] * 1000)
    result.append(Row("2 explanations", f"`/filters/test`, a {len(explained):,} B filter nested 60 deep, "
                      f"1,000 events (each explained)", run))

    negated = "!(" * 60 + "||".join(["$.b"] * 1550) + ")" * 60
    run, size = filter_test(negated, [{"a": 1}] * 1000)
    result.append(Row("2 explanations", f"`/filters/test`, `!(` 60 deep around 1,550 `$.b` terms ({len(negated):,} B), "
                      f"1,000 events (over the 64 KiB cap)", run))

    for target in (8 * 1024 - 100, 64 * 1024, 256 * 1024, 1_040_000):
        text = or_chain(target)
        label = f"save a message trigger, `$.a != null \\|\\| …` of {len(text):,} B"
        result.append(Row("3 compile", label, save_trigger(text), setup=create_action_setup))
        if len(text) > 8 * 1024:
            result.append(Row("3 compile", label + " — after with `SIGNALBOX_FILTERS_MAX_TEXT_BYTES=1048576`",
                              save_trigger(text), setup=create_action_setup, after_environment=raised,
                              before=False))

    for members in (10_000, 100_000):
        run, size = filter_test("$.x == 1", [wide_object(members)])
        result.append(Row("4 wide objects", f"`/filters/test`, an event of {members:,} members ({size:,} B)", run))
    for members in (10_000, 100_000):
        run, size = create_wide_action(members)
        result.append(Row("4 wide objects", f"create an action whose item config has {members:,} members "
                          f"({size:,} B)", run))

    for actions in arguments.upcoming_actions:
        result.append(Row("5 upcoming", f"`GET /automated-actions/upcoming?limit=1000`, {actions:,} actions × 5 "
                          f"every-second schedules", upcoming, setup=upcoming_setup(actions, 5)))

    result.append(Row("6 health", f"`GET /health/ready`, {arguments.health_connections} connections for "
                      f"{arguments.health_seconds} s (wrk)",
                      hammer_health(arguments.health_connections, arguments.health_seconds), repeats=1))

    big_pattern = "a{0,1000}a{0,1000}a{0,1000}a{0,1000}b"
    run, size = filter_test(f"search($.s, '{big_pattern}')", [{"s": "a" * arguments.regex_length}])
    result.append(Row("7 regex", f"`/filters/test` `search($.s, '{big_pattern}')` (~8k instructions) over "
                      f"{arguments.regex_length:,} `a`s", run))
    event_pattern = "[a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}b"
    items = arguments.regex_items
    run, size = filter_test("$.items[?match(@.n, $.p)]", [{"p": event_pattern, "items": [{"n": "x"}] * items}])
    result.append(Row("7 regex", f"`/filters/test` `$.items[?match(@.n, $.p)]`, the pattern `{event_pattern}` "
                      f"in the event, {items:,} items", run))
    return [row for row in result if not arguments.kinds or row.kind.split()[0] in arguments.kinds]


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------

class Context:
    def __init__(self, serve, token, timeout, state):
        self.serve = serve
        self.token = token
        self.timeout = timeout
        # What the set-up made (an action id) for the measured requests, across the two serves.
        self.state = state

    def request(self, method, path, body=None):
        status, seconds, data = http_request(self.serve.port, method, path, body, self.token, self.timeout)
        return status, seconds, data


def create_token(binary, environment):
    output = subprocess.run([binary, "token", "create", "--tenant", "default", "--role", "admin",
                             "--config", environment["BENCH_CONFIG"]],
                            env=environment, capture_output=True, text=True, check=True)
    return output.stdout.split()[0]


def measure(row, label, binary, arguments, index):
    base = os.path.join(arguments.work, f"row{index}-{label}")
    for leftover in (base + ".sqlite", base + ".sqlite-wal", base + ".sqlite-shm", base + ".log", base + "-setup.log"):
        if os.path.exists(leftover):
            os.remove(leftover)
    environment = dict(os.environ)
    environment.update({
        "BENCH_CONFIG": arguments.config,
        "SIGNALBOX_DATABASE_PATH": base + ".sqlite",
        "SIGNALBOX_AMQP_URL": arguments.amqp_url,
        "SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE": "classic",
        "SIGNALBOX_AMQP_COMMANDS_QUEUE": "",
        "SIGNALBOX_HTTP_TOKEN_REQUESTS_PER_SECOND": "0",
        "SIGNALBOX_LOG_LEVEL": "warning",
    })
    if label == "after":
        environment.update(row.after_environment)
    token = create_token(binary, environment)
    state = {}
    if row.setup:
        serve = Serve(binary, environment, base + "-setup.log", arguments.memory_cap_mib)
        serve.start()
        try:
            row.setup(Context(serve, token, arguments.timeout * 10, state))
        finally:
            serve.stop()

    serve = Serve(binary, environment, base + ".log", arguments.memory_cap_mib)
    serve.start()
    context = Context(serve, token, arguments.timeout, state)
    rss_before = serve.rss_kib()
    times, statuses, notes = [], [], []
    outcome = None
    spent = 0.0
    try:
        for attempt in range(row.repeats or arguments.repeats):
            try:
                status, seconds, data = row.run(context, attempt)
            except socket.timeout:
                outcome = f">{arguments.timeout:g} s (timed out)"
                break
            except (ConnectionError, http.client.HTTPException, OSError) as error:
                if serve.killed_for_memory:
                    outcome = f"killed at >{arguments.memory_cap_mib:,} MiB RSS"
                else:
                    outcome = f"connection lost ({type(error).__name__})"
                break
            times.append(seconds)
            spent += seconds
            if isinstance(data, str):
                notes.append(data)
                statuses.append(status)
            else:
                statuses.append(f"{status}, {describe_body(status, data)}")
            if spent > REPEAT_BUDGET_SECONDS:
                break
        hwm = serve.hwm_kib()
    finally:
        if outcome:
            serve.kill()
        else:
            serve.stop()
    return {
        "times": times, "statuses": statuses, "notes": notes, "outcome": outcome,
        "hwm_mib": hwm / 1024 if hwm else None, "rss_before_mib": rss_before / 1024 if rss_before else None,
    }


def describe_body(status, data):
    size = len(data)
    text = f"{size / MIB:,.1f} MiB" if size >= MIB else f"{size / 1024:,.1f} KiB" if size >= 1024 else f"{size} B"
    if status >= 400:
        try:
            error = json.loads(data)
            message = error.get("message") or error.get("error", {}).get("message") or ""
            message = str(message)
            return f"“{message[:110]}…”" if len(message) > 110 else f"“{message}”"
        except (ValueError, AttributeError):
            return text
    if b"explanation truncated" in data:
        text += ", truncated"
    return text


def cell(result):
    if result is None:
        return "—"
    parts = []
    if result["outcome"]:
        parts.append(result["outcome"])
    elif result["notes"]:
        parts.append(result["notes"][0])
    elif result["times"]:
        median = statistics.median(result["times"])
        parts.append(f"{format_seconds(median)}" + (f" (median of {len(result['times'])})" if len(result["times"]) > 1 else ""))
    if result["hwm_mib"] is not None:
        parts.append(f"peak {result['hwm_mib']:,.0f} MiB (from {result['rss_before_mib']:,.0f})")
    if result["statuses"] and not result["notes"]:
        # One answer per status code: repeats differ only in size (a trigger list that grows).
        by_code = {}
        for status in result["statuses"]:
            by_code.setdefault(str(status).split(",")[0], status)
        parts.append("; ".join(str(status) for status in by_code.values()))
    return ", ".join(parts)


def format_seconds(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before")
    parser.add_argument("--after")
    parser.add_argument("--work")
    parser.add_argument("--config")
    parser.add_argument("--amqp-url")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--memory-cap-mib", type=int, default=4096)
    parser.add_argument("--descendant-depth", type=int, default=80)
    parser.add_argument("--upcoming-actions", type=int, nargs="+", default=[1000])
    parser.add_argument("--health-connections", type=int, default=200)
    parser.add_argument("--health-seconds", type=int, default=10)
    parser.add_argument("--regex-length", type=int, default=100_000)
    parser.add_argument("--regex-items", type=int, default=10_000)
    parser.add_argument("--kinds", nargs="*", help="only these kinds (1-7)")
    parser.add_argument("--render", metavar="RESULTS_JSON", help="print the table of an earlier run's results.json")
    arguments = parser.parse_args()
    if arguments.render:
        with open(arguments.render) as saved:
            print_table(json.load(saved))
        return
    for required in ("after", "work", "config", "amqp_url"):
        if getattr(arguments, required) is None:
            parser.error(f"--{required.replace('_', '-')} is required")

    binaries = [("before", arguments.before)] if arguments.before else []
    binaries.append(("after", arguments.after))
    table = []
    for index, row in enumerate(rows(arguments)):
        results = {}
        for label, binary in binaries:
            if label == "before" and not row.before:
                continue
            log(f"{row.kind}: {row.label} — {label}")
            results[label] = measure(row, label, binary, arguments, index)
            log(f"  {cell(results[label])}")
        table.append((row, results))

    measured = [{"kind": row.kind, "request": row.label, "results": results} for row, results in table]
    with open(os.path.join(arguments.work, "results.json"), "w") as saved:
        json.dump(measured, saved, indent=1)
    print_table(measured)


def print_table(measured):
    print("| kind | request | before (time, peak memory, status) | after (time, peak memory, status) |")
    print("|---|---|---|---|")
    for row in measured:
        results = row["results"]
        print(f"| {row['kind']} | {row['request']} | {cell(results.get('before'))} | {cell(results.get('after'))} |")


if __name__ == "__main__":
    main()
