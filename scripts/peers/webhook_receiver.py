#!/usr/bin/env python3
"""A webhook receiver that checks Signalbox's outgoing requests with the Standard Webhooks reference
library (PyPI `standardwebhooks`), so the tests prove the signatures against someone else's code.

    webhook_receiver.py SECRETS_FILE LOG_FILE

Listens on 127.0.0.1 on a free port and prints {"port": N} on its first line. SECRETS_FILE holds
one whsec_ secret per line, read at every request; LOG_FILE gets one JSON line per request:
{"path", "method", "headers" (lower-case), "body", "verifiedBy": [index of each secret that
verifies the request]}. What it answers depends on the path:

    /ok            200
    /status/NNN    NNN with the body "answer NNN"
    /fail-twice    500 to the first two requests of each webhook-id, then 200
    /hang          nothing for 60 s (a receiver that never answers)
    /hang-once     nothing for 60 s to the first request of each webhook-id, then 200
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

SECRETS_FILE, LOG_FILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()
attempts = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.receive()

    def do_PUT(self):
        self.receive()

    def do_GET(self):
        self.receive()

    def receive(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        with open(SECRETS_FILE) as f:
            secrets = [line.strip() for line in f if line.strip()]
        verified = []
        for index, secret in enumerate(secrets):
            try:
                # json_parse=False: text and empty bodies are verified too.
                Webhook(secret).verify(body, headers, json_parse=False)
                verified.append(index)
            except Exception:
                pass
        with lock:
            with open(LOG_FILE, "a") as log:
                log.write(json.dumps({
                    "path": self.path, "method": self.command, "headers": headers,
                    "body": body.decode(errors="replace"), "verifiedBy": verified,
                }) + "\n")
            key = headers.get("webhook-id", "")
            attempts[key] = attempts.get(key, 0) + 1
            attempt = attempts[key]
        if self.path == "/hang" or self.path == "/hang-once" and attempt == 1:
            time.sleep(60)
            return
        if self.path.startswith("/status/"):
            self.answer(int(self.path.split("/")[2]), f"answer {self.path.split('/')[2]}")
        elif self.path == "/fail-twice" and attempt <= 2:
            self.answer(500, f"failure {attempt}")
        else:
            self.answer(200, "ok")

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
