#!/usr/bin/env python3
"""Sends webhook calls signed by the Standard Webhooks reference library (PyPI `standardwebhooks`),
so the tests prove Signalbox against someone else's implementation.

    standard_webhooks_peer.py CASES.json

CASES.json is a list of calls: {"name", "url", "secrets": ["whsec_…"] (each signs; none: unsigned),
"body": "<text>", "msgId": "…" (default: random), "timestampOffset": seconds (default 0),
"tamper": true (change the body after signing)}. Prints a JSON list of
{"name", "status", "headers": {…}, "body": <parsed JSON or text>} in the same order.
Only 127.0.0.1 URLs are called.
"""
import json
import sys
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from standardwebhooks import Webhook


def send(case):
    url = case["url"]
    if not url.startswith("http://127.0.0.1:"):
        raise SystemExit(f"refusing to call {url}: tests talk to 127.0.0.1 only")
    body = case.get("body", "").encode()
    msg_id = case.get("msgId") or f"msg_{uuid.uuid4().hex}"
    timestamp = datetime.now(tz=timezone.utc) + timedelta(seconds=case.get("timestampOffset", 0))
    headers = {"content-type": "application/json"}
    secrets = case.get("secrets", [])
    if secrets:
        signatures = [Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets]
        headers.update({
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": " ".join(signatures),
        })
    if case.get("tamper"):
        body = body + b" "
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, answer, answer_headers = error.code, error.read(), dict(error.headers)
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = answer.decode(errors="replace")
    return {"name": case["name"], "status": status, "headers": {k.lower(): v for k, v in answer_headers.items()}, "body": parsed}


def main():
    with open(sys.argv[1]) as cases:
        print(json.dumps([send(case) for case in json.load(cases)]))


if __name__ == "__main__":
    main()
