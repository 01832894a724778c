"""Debian's firefox-esr, headless, driven over WebDriver BiDi (the W3C protocol Firefox speaks
itself; Playwright drives only its own Firefox builds, which cannot be downloaded here). Just
what console_browser.py needs: navigate, evaluate, wait for a condition, screenshot, and the
errors the page logged. Connects only to 127.0.0.1."""

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import websocket


class BiDiError(Exception):
    pass


class Firefox:
    def __init__(self, executable, width=1280, height=800):
        self.executable = executable
        self.size = (width, height)
        self.next_id = 0
        self.logged = []
        self.socket = None

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="signalbox-firefox-")
        # Its chatter goes to a file: an unread pipe would fill up and stall the browser.
        self.log = tempfile.NamedTemporaryFile(prefix="signalbox-firefox-", suffix=".log")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [self.executable, "--headless", "--no-remote", "--profile", self.profile, f"--remote-debugging-port={port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log, env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"})
        try:
            return self._connect(port)
        except BaseException:
            self.__exit__(None, None, None)  # never leave a browser behind
            raise

    def _connect(self, port):
        deadline = time.time() + 60
        while True:
            try:
                self.socket = websocket.create_connection(f"ws://127.0.0.1:{port}/session", timeout=60, suppress_origin=True)
                break
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    with open(self.log.name, errors="replace") as log:
                        raise BiDiError(f"firefox did not open WebDriver BiDi on port {port}: {log.read()[-4000:]}")
                time.sleep(0.2)
        self.command("session.new", {"capabilities": {}})
        self.command("session.subscribe", {"events": ["log.entryAdded"]})
        self.context = self.command("browsingContext.getTree", {})["contexts"][0]["context"]
        self.command("browsingContext.setViewport", {"context": self.context, "viewport": {"width": self.size[0], "height": self.size[1]}})
        return self

    def __exit__(self, *exc):
        if self.socket is not None:
            try:
                self.command("session.end", {})
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
        self.log.close()

    def command(self, method, params):
        self.next_id += 1
        mine = self.next_id
        self.socket.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("type") == "event":
                if message.get("method") == "log.entryAdded" and message["params"].get("level") == "error":
                    self.logged.append(message["params"].get("text"))
                continue
            if message.get("id") != mine:
                continue
            if message.get("type") == "error":
                raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message["result"]

    def go(self, url):
        self.command("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def value(self, expression):
        """The value of a JavaScript expression in the page (awaited when a promise)."""
        result = self.command("script.evaluate", {
            "expression": expression, "target": {"context": self.context}, "awaitPromise": True})
        if result.get("type") == "exception":
            raise BiDiError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def run(self, statements):
        self.value(f"(() => {{ {statements} }})()")

    def wait(self, condition, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                if self.value(f"Boolean({condition})") is True:
                    return
            except BiDiError:
                pass  # not there yet
            if time.time() > deadline:
                raise AssertionError(f"Firefox: still false after {timeout} s: {condition}")
            time.sleep(0.1)

    def screenshot(self, path):
        data = self.command("browsingContext.captureScreenshot", {"context": self.context, "origin": "document"})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def errors(self):
        self.value("1")  # collect log events sent meanwhile
        return list(self.logged)
