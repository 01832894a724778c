"""Figures of the web console, for scripts/measure-console.sh (which starts serve): creates the
actions through the REST API, then loads the actions page LOADS times in headless chromium and
prints the time to first render and the page weight. Talks only to 127.0.0.1."""

import argparse
import json
import statistics
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import sync_playwright

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--actions", type=int, default=1000)
parser.add_argument("--loads", type=int, default=9)
parser.add_argument("--chromium", default="/usr/bin/chromium")
args = parser.parse_args()
assert args.url.startswith("http://127.0.0.1:"), args.url
APP = {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}, "inputs": []}


def call(method, path, body=None):
    request = urllib.request.Request(args.url + path, method=method, headers={"Authorization": f"Bearer {args.token}"})
    data = json.dumps(body).encode() if body is not None else None
    if data:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, data, timeout=60) as response:
        return json.loads(response.read() or b"null")


def create(index):
    body = {"name": f"action-{index:04d}", "description": f"measured action {index}", "actions": [{"name": "Step", "config": APP}]}
    if index % 3 == 0:
        body["schedules"] = [{"name": "hourly", "cron": f"{index % 60} * * * *", "timeZone": "Europe/Berlin"}]
    if index % 3 == 1:
        body["messageTriggers"] = [{"name": "on event", "triggerType": "AppProcessUpdated", "eventFilter": f"$.item.appId == 'app-{index}'"}]
    action = call("POST", f"/namespaces/ns-{index % 10}/automated-actions", body)
    if index % 5 == 0:
        call("POST", f"/automated-actions/by-id/{action['id']}/trigger")


with ThreadPoolExecutor(max_workers=8) as pool:
    list(pool.map(create, range(args.actions)))
print(f"actions: {args.actions} created ({args.actions // 5} with one run each)")

render_ms, weights, counts, summary_ms, script_ms = [], [], [], [], []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=["--no-sandbox"])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(f"sessionStorage.setItem('signalbox.token', {json.dumps(args.token)})")
    for load in range(args.loads + 1):  # the first load warms serve and the browser up; not counted
        page = context.new_page()
        page.goto(args.url + "/ui#/actions")
        # Polled from outside: wait_for_function would evaluate a string in the page, which the CSP forbids.
        page.wait_for_selector("#rows tr", timeout=60000)
        for _ in range(600):
            if page.evaluate("performance.getEntriesByName('signalbox-actions-rendered').length > 0"):
                break
            page.wait_for_timeout(50)
        figures = page.evaluate("""() => {
            const mark = performance.getEntriesByName('signalbox-actions-rendered')[0].startTime;
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource');
            const bytes = nav.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0);
            const summary = resources.find((r) => r.name.includes('/automated-actions/summary'));
            const script = resources.find((r) => r.name.endsWith('/ui/app.js'));
            return { mark, bytes, requests: 1 + resources.length, rows: document.querySelectorAll('#rows tr').length,
                     summary: summary.responseEnd - summary.requestStart, script: script.responseEnd };
        }""")
        if load > 0:
            render_ms.append(figures["mark"])
            weights.append(figures["bytes"])
            counts.append(figures["requests"])
            summary_ms.append(figures["summary"])
            script_ms.append(figures["script"])
        rows = figures["rows"]
        page.close()
    browser.close()

print(f"first render of the actions page ({rows} rows shown of {args.actions}): "
      f"median {statistics.median(render_ms):.0f} ms, min {min(render_ms):.0f} ms, max {max(render_ms):.0f} ms over {len(render_ms)} loads "
      f"(navigation start to the rows in the DOM; target < 300 ms)")
print(f"  of which: app.js loaded after {statistics.median(script_ms):.0f} ms, the summary page's request {statistics.median(summary_ms):.0f} ms (medians)")
print(f"page weight: {max(weights)} bytes uncompressed in {max(counts)} requests "
      f"(HTML, CSS, JS, /whoami, one summary page; the live stream excluded; target < 200 KB)")
