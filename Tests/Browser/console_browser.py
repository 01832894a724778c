"""The web console in a real browser: Debian's chromium, headless, driven by Playwright, against
a running `signalbox serve` (real broker, real database). Run by ConsoleBrowserTests (Swift),
which starts serve and passes everything in the environment:

  SIGNALBOX_CONSOLE_URL        http://127.0.0.1:PORT
  SIGNALBOX_CONSOLE_TOKEN_A    admin token of tenant `default`
  SIGNALBOX_CONSOLE_TOKEN_B    admin token of another tenant
  SIGNALBOX_CONSOLE_AMQP_URL   the broker serve consumes from
  SIGNALBOX_CONSOLE_EVENTS     serve's events exchange
  SIGNALBOX_CONSOLE_SHOTS      folder for the screenshots
  SIGNALBOX_CHROMIUM           the browser (default /usr/bin/chromium)
  SIGNALBOX_FIREFOX            Debian's firefox-esr (default /usr/bin/firefox-esr), driven over
                               WebDriver BiDi (console_firefox.py): Playwright cannot drive it

Prints one line per check and `N passed, 0 failed`; exits non-zero at the first failure.
Talks only to 127.0.0.1.
"""

import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

import pika
from playwright.sync_api import expect, sync_playwright

from console_firefox import Firefox

# Waits are hang guards, not timings: the whole test suite shares these two cores.
expect.set_options(timeout=30_000)

BASE = os.environ["SIGNALBOX_CONSOLE_URL"]
TOKEN_A = os.environ["SIGNALBOX_CONSOLE_TOKEN_A"]
TOKEN_B = os.environ["SIGNALBOX_CONSOLE_TOKEN_B"]
AMQP_URL = os.environ["SIGNALBOX_CONSOLE_AMQP_URL"]
EVENTS = os.environ["SIGNALBOX_CONSOLE_EVENTS"]
SHOTS = os.environ["SIGNALBOX_CONSOLE_SHOTS"]
CHROMIUM = os.environ.get("SIGNALBOX_CHROMIUM", "/usr/bin/chromium")
FIREFOX = os.environ.get("SIGNALBOX_FIREFOX", "/usr/bin/firefox-esr")
assert BASE.startswith("http://127.0.0.1:"), BASE

passed = 0
APP = {"$type": "app", "version": {"id": "a1b2c3d4-5678-90ab-cdef-1234567890ab", "version": 1}, "inputs": []}


def check(name):
    global passed
    passed += 1
    print(f"ok {passed} - {name}", flush=True)


def call(method, path, token, body=None):
    request = urllib.request.Request(BASE + path, method=method, headers={"Authorization": f"Bearer {token}"})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, data, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def create(token, namespace, name, **extra):
    return call("POST", f"/namespaces/{namespace}/automated-actions", token, {"name": name, "actions": [{"name": "Step", "config": APP}], **extra})


class StreamReader(threading.Thread):
    """`GET /history/stream` as one tenant: collects the action ids of the entries it receives."""

    def __init__(self, token):
        super().__init__(daemon=True)
        self.token = token
        self.action_ids = []
        self.ready = threading.Event()

    def run(self):
        request = urllib.request.Request(BASE + "/history/stream", headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            event = None
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    if event == "ready":
                        self.ready.set()
                    elif event == "history":
                        self.action_ids.append(json.loads(line[6:])["actionId"])


def publish(event_id, app_id, process_id=None, status="Completed", error=None):
    """An AppProcessUpdated event of tenant `default` on serve's events exchange, confirmed; with
    `process_id` and status `Error`, the completion of a run Signalbox started."""
    item = {"id": process_id or str(uuid.uuid4()), "appId": app_id, "status": status}
    if error:
        item["errorMessage"] = error
    body = {"type": "AppProcessUpdated", "id": event_id, "tenantId": "default", "namespace": "console", "item": item}
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(EVENTS, "AppProcessUpdated", json.dumps(body).encode(),
                          pika.BasicProperties(content_type="application/json", message_id=event_id, delivery_mode=2), mandatory=True)
    connection.close()
    return body


def main():
    os.makedirs(SHOTS, exist_ok=True)
    suffix = uuid.uuid4().hex[:6]
    # Tenant A: a message-triggered action, a Berlin 02:30 schedule, and one to pause. Tenant B: one.
    alpha = create(TOKEN_A, "console", f"alpha-{suffix}", messageTriggers=[
        {"name": "on console event", "triggerType": "AppProcessUpdated", "eventFilter": f"$.item.appId == 'console-{suffix}'"}])
    bravo = create(TOKEN_A, "console", f"bravo-{suffix}", schedules=[
        {"name": "night", "cron": "30 2 * * *", "timeZone": "Europe/Berlin"}])
    charlie = create(TOKEN_A, "ops", f"charlie-{suffix}")
    secret = create(TOKEN_B, "console", f"tenant-b-only-{suffix}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(30_000)
        console_errors = []
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(str(error)))

        # Sign-in: a bad token is refused and nothing is shown; the good one by keyboard (Enter).
        page.goto(BASE + "/ui")
        expect(page.get_by_label("API token")).to_be_focused()
        page.get_by_label("API token").fill("sbx_not-a-real-token")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Sign-in failed: the token was refused")
        assert page.evaluate("sessionStorage.getItem('signalbox.token')") is None
        page.screenshot(path=f"{SHOTS}/01-signin-refused.png")
        check("a bad token is refused and not kept")

        page.get_by_label("API token").fill(TOKEN_A)
        page.get_by_label("API token").press("Enter")
        expect(page.locator("#who")).to_have_text("Tenant default · admin")
        expect(page.get_by_role("link", name=alpha["name"])).to_be_visible()
        assert page.evaluate("localStorage.length") == 0, "the token must not reach localStorage"
        check("a good token signs in (keyboard), kept in sessionStorage only")

        # Actions list: both actions by API, their trigger kinds and next run; not tenant B's.
        row = page.locator(f"#a-{bravo['id']}")
        expect(row).to_contain_text("schedule")
        expect(row).to_contain_text(bravo["nextScheduledRunAt"].replace("T", " "))
        expect(page.locator(f"#a-{alpha['id']}")).to_contain_text("message")
        expect(page.locator(f"#a-{alpha['id']}")).to_contain_text("never ran")
        expect(page.get_by_text(secret["name"])).to_have_count(0)
        page.get_by_label("Namespace").fill("ops")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tbody#rows tr")).to_have_count(1)
        expect(page.get_by_role("link", name=charlie["name"])).to_be_visible()
        check("actions list shows the tenant's actions with triggers and next run, filters by namespace")

        # Pause from the UI, by keyboard alone (Tab to the button, Enter); a toast confirms; the
        # API shows it paused.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('aria-label')") == f"Pause {charlie['name']}":
                break
        else:
            raise AssertionError("the Pause button cannot be reached with Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#toasts")).to_contain_text(f"Paused {charlie['name']}; it is now paused")
        expect(page.locator(f"#a-{charlie['id']}")).to_contain_text("paused")
        assert call("GET", f"/automated-actions/by-id/{charlie['id']}", TOKEN_A)["status"] == "paused"
        page.get_by_label("Status").select_option("paused")
        page.get_by_label("Namespace").fill("")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("tbody#rows tr")).to_have_count(1)
        page.screenshot(path=f"{SHOTS}/02-actions-paused-filter.png")
        check("pause from the UI: toast, row and API all say paused; status filter")

        # Another tenant's action: not listed, and its page is not found.
        page.goto(BASE + f"/ui#/actions/{secret['id']}")
        expect(page.get_by_role("alert")).to_contain_text("does not exist")
        check("another tenant's action is not visible")

        page.goto(BASE + "/ui#/actions")
        expect(page.get_by_role("link", name=bravo["name"])).to_be_visible()
        page.screenshot(path=f"{SHOTS}/03-actions.png", full_page=True)

        # Calendar, Berlin spring-forward week 2027: 02:30 fires at 03:00 CEST on 28 March (CRON.md).
        page.goto(BASE + "/ui#/calendar?view=week&tz=Europe%2FBerlin&date=2027-03-28")
        expect(page.locator('[data-date="2027-03-28"]')).to_contain_text(f"03:00 {bravo['name']}")
        expect(page.locator('[data-date="2027-03-27"]')).to_contain_text(f"02:30 {bravo['name']}")
        expect(page.locator('[data-date="2027-03-22"]')).to_contain_text(f"02:30 {bravo['name']}")
        expect(page.locator('[data-date="2027-03-28"]')).not_to_contain_text("02:30")
        page.screenshot(path=f"{SHOTS}/04-calendar-week-berlin-dst.png", full_page=True)
        # The same instants in UTC: 01:30 before the change, 01:00 on the day, 00:30 after.
        page.get_by_label("Time zone").select_option("UTC")
        page.get_by_role("button", name="Show").click()
        expect(page.locator('[data-date="2027-03-28"]')).to_contain_text(f"01:00 {bravo['name']}")
        expect(page.locator('[data-date="2027-03-27"]')).to_contain_text(f"01:30 {bravo['name']}")
        page.goto(BASE + "/ui#/calendar?view=month&tz=Europe%2FBerlin&date=2027-03-01")
        expect(page.locator('[data-date="2027-03-28"]')).to_contain_text(f"03:00 {bravo['name']}")
        expect(page.locator('[data-date="2027-03-31"]')).to_contain_text(f"02:30 {bravo['name']}")
        page.screenshot(path=f"{SHOTS}/05-calendar-month-berlin.png", full_page=True)
        check("calendar: week and month in Berlin show the spring-forward run at 03:00; UTC view at 01:00")

        # Filter tester: a non-match explained, then a syntax error at line:column as you type.
        page.goto(BASE + "/ui#/filters")
        page.get_by_label("Event (JSON)").fill(json.dumps(
            {"type": "AppProcessUpdated", "id": "e1", "namespace": "console", "item": {"appId": "billing", "status": "Completed"}}, indent=2))
        page.get_by_label("Filter").fill("$.item.status == 'Failed' && $.namespace == 'console'")
        expect(page.locator("#verdict")).to_have_text("✗ Not matched")
        expect(page.locator("#explain")).to_contain_text("Completed")
        page.screenshot(path=f"{SHOTS}/06-filter-not-matched.png", full_page=True)
        page.get_by_label("Filter").fill("$.item.status == 'Completed'")
        expect(page.locator("#verdict")).to_have_text("✓ Matched")
        page.get_by_label("Filter").fill("$.item.status ==\n  && $.x")
        expect(page.locator("#filter-error")).to_contain_text("Line ")
        expect(page.locator("#filter-error")).to_contain_text("column")
        page.screenshot(path=f"{SHOTS}/07-filter-syntax-error.png", full_page=True)
        check("filter tester explains a non-match and shows errors at line:column")

        # Live: alpha's page, connected; an event on the broker shows up in its history unreloaded.
        page.goto(BASE + f"/ui#/actions/{alpha['id']}")
        expect(page.locator("#live")).to_have_text("Live: connected")
        expect(page.locator("#history")).to_contain_text("No entries.")
        page.evaluate("window.__notReloaded = true")
        event_id = f"console-live-{suffix}"
        body = publish(event_id, f"console-{suffix}")
        expect(page.locator("#history")).to_contain_text(event_id, timeout=20000)
        expect(page.locator("#history")).to_contain_text("Message")
        # Its process reports an error: the same row turns Failed with the error, still unreloaded.
        entry = next(e for e in call("GET", f"/automated-actions/by-id/{alpha['id']}/history", TOKEN_A) if e["sourceEventId"] == event_id)
        publish(f"console-done-{suffix}", "another-app", process_id=entry["processId"], status="Error", error=f"disk full on worker {suffix}")
        row = page.locator(f"#h-{entry['id']}")
        expect(row).to_contain_text("Failed", timeout=20000)
        expect(row).to_contain_text(f"disk full on worker {suffix}")
        expect(row).to_contain_text(event_id)
        expect(page.locator("#history tr")).to_have_count(1)
        expect(page.locator("#runs")).to_have_text("1 total, 1 consecutive failures")
        assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"
        page.screenshot(path=f"{SHOTS}/08-action-detail-live.png", full_page=True)
        check("a history entry appears live after an event is published, then turns Failed with its error")

        # The filter tester offers that event, as received from the bus.
        page.goto(BASE + "/ui#/filters")
        option = page.locator("#pick option", has_text=event_id)
        expect(option).to_have_count(1)
        page.get_by_label("Pick an event").select_option(option.get_attribute("value"))
        expect(page.get_by_label("Event (JSON)")).to_have_value(re.compile(f'"appId": "console-{suffix}"'))
        assert json.loads(page.get_by_label("Event (JSON)").input_value()) == body, "the event as published"
        page.get_by_label("Filter").fill(f"$.item.appId == 'console-{suffix}'")
        expect(page.locator("#verdict")).to_have_text("✓ Matched")
        page.screenshot(path=f"{SHOTS}/11-filter-recent-event.png", full_page=True)
        check("the filter tester picks a recent event received from the broker")
        page.goto(BASE + f"/ui#/actions/{alpha['id']}")
        expect(page.locator("#history")).to_contain_text(event_id)

        # History filters (server-side): Success hides the entry, Failed and Message keep it.
        page.get_by_label("Outcome").select_option("Success")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#history")).to_contain_text("No entries.")
        page.get_by_label("Outcome").select_option("Failed")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#history")).to_contain_text(event_id)
        page.get_by_label("Outcome").select_option("")
        page.get_by_label("Trigger type").select_option("Message")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#history")).to_contain_text(event_id)
        check("history filters by outcome and trigger type")

        # Schedules: next five occurrences in UTC and the schedule's zone.
        page.goto(BASE + f"/ui#/actions/{bravo['id']}")
        expect(page.locator("#schedules tbody tr")).to_have_count(5)
        expect(page.locator("#schedules")).to_contain_text("Europe/Berlin")
        expect(page.locator("#schedules")).to_contain_text(":30:00+0")
        page.screenshot(path=f"{SHOTS}/09-action-detail-schedules.png", full_page=True)
        check("action detail lists the next five occurrences in UTC and the zone")

        # Run now from the UI: a toast names the started process.
        page.get_by_role("button", name=f"Run {bravo['name']} now").click()
        expect(page.locator("#toasts")).to_contain_text(f"Started {bravo['name']}")
        expect(page.locator("#history")).to_contain_text("Manual")
        check("manual run from the UI confirmed by a toast and a live entry")

        # Phone width: the list stacks into labelled rows.
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(BASE + "/ui")
        phone.get_by_label("API token").fill(TOKEN_A)
        phone.get_by_label("API token").press("Enter")
        expect(phone.get_by_role("link", name=alpha["name"])).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
        phone.screenshot(path=f"{SHOTS}/10-actions-phone.png", full_page=True)
        check("usable at phone width (no sideways scrolling)")

        # Refused requests (the bad token, the other tenant's action, the bad filter) log a
        # "Failed to load resource" line each, as they should; anything else is a fault.
        unexpected = [e for e in console_errors if not e.startswith("Failed to load resource")]
        assert not unexpected, f"browser console errors: {unexpected}"
        check("no script errors and no CSP violations in the browser console")
        browser.close()

    # The live stream is tenant-scoped: B's run never reaches A's stream, A's own run does.
    reader = StreamReader(TOKEN_A)
    reader.start()
    assert reader.ready.wait(10), "the stream did not start"
    call("POST", f"/automated-actions/by-id/{secret['id']}/trigger", TOKEN_B)
    call("POST", f"/automated-actions/by-id/{charlie['id']}/trigger", TOKEN_A)
    deadline = time.time() + 10
    while charlie["id"] not in reader.action_ids and time.time() < deadline:
        time.sleep(0.1)
    assert charlie["id"] in reader.action_ids, f"tenant A's own entry did not arrive: {reader.action_ids}"
    assert secret["id"] not in reader.action_ids, "tenant B's entry reached tenant A's stream"
    check("the live stream carries only the caller's tenant")

    # The same console in Firefox (Debian's firefox-esr over WebDriver BiDi): sign-in, the list,
    # the Berlin calendar, the filter tester and a live entry, with screenshots.
    with Firefox(FIREFOX) as firefox:
        firefox.go(BASE + "/ui")
        firefox.wait("document.querySelector('#token') !== null")
        firefox.run("document.querySelector('#token').value = 'sbx_not-a-real-token'; document.querySelector('#signin').requestSubmit()")
        firefox.wait("document.querySelector('#signin-error').textContent.includes('the token was refused')")
        firefox.run(f"document.querySelector('#token').value = {json.dumps(TOKEN_A)}; document.querySelector('#signin').requestSubmit()")
        firefox.wait(f"document.querySelector('#a-{alpha['id']}') !== null && document.querySelector('#a-{secret['id']}') === null")
        firefox.wait("document.querySelector('#who').textContent === 'Tenant default · admin'")
        firefox.wait("document.querySelector('#live').textContent === 'Live: connected'")
        firefox.screenshot(f"{SHOTS}/21-firefox-actions.png")
        check("Firefox: sign-in refused then accepted, the tenant's actions listed, live connected")

        firefox.go(BASE + "/ui#/calendar?view=week&tz=Europe%2FBerlin&date=2027-03-28")
        firefox.wait(f"(document.querySelector('[data-date=\"2027-03-28\"]')?.textContent || '').includes('03:00 {bravo['name']}')")
        firefox.wait(f"document.querySelector('[data-date=\"2027-03-27\"]').textContent.includes('02:30 {bravo['name']}')")
        firefox.screenshot(f"{SHOTS}/22-firefox-calendar-week-berlin-dst.png")
        check("Firefox: the Berlin spring-forward run shows at 03:00")

        firefox.go(BASE + "/ui#/filters")
        firefox.wait("document.querySelector('#filter') !== null")
        firefox.run("""const f = document.querySelector('#filter'); f.value = "$.item.status == 'Failed'"; f.dispatchEvent(new Event('input'))""")
        firefox.wait("document.querySelector('#verdict').textContent === '✗ Not matched'")
        firefox.wait("document.querySelector('#explain').textContent.length > 0")
        firefox.screenshot(f"{SHOTS}/23-firefox-filter-not-matched.png")
        check("Firefox: the filter tester explains a non-match")

        firefox.go(BASE + f"/ui#/actions/{alpha['id']}")
        firefox.wait("document.querySelector('#live').textContent === 'Live: connected' && document.querySelector('#history tr') !== null")
        firefox.run("window.__notReloaded = true")
        second = f"console-firefox-{suffix}"
        publish(second, f"console-{suffix}")
        firefox.wait(f"document.querySelector('#history').textContent.includes('{second}')", timeout=20)
        assert firefox.value(f"document.querySelector('#history').textContent.includes('{event_id}')") is True, \
            "the earlier entry must stay when a live one arrives"
        assert firefox.value("document.querySelectorAll('#history tr').length") == 2
        assert firefox.value("window.__notReloaded === true") is True, "the page was reloaded"
        firefox.screenshot(f"{SHOTS}/24-firefox-action-detail-live.png")
        errors = firefox.errors()
        assert not errors, f"Firefox logged errors: {errors}"
        check("Firefox: a live entry appears after an event is published; no script errors")

    print(f"{passed} passed, 0 failed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report any failure, then exit non-zero
        print(f"FAILED after {passed} passed: {type(error).__name__}: {error}", flush=True)
        sys.exit(1)
