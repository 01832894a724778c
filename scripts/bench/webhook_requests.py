#!/usr/bin/env python3
"""Writes N webhook calls signed by the Standard Webhooks reference library (PyPI
`standardwebhooks`), one per line as `<webhook-id>\t<webhook-timestamp>\t<webhook-signature>\t<body>`,
for scripts/bench/webhooks.lua to send with wrk. Timestamps are now: use them within 5 minutes.

    webhook_requests.py SECRET N OUT
"""
import json
import sys
from datetime import datetime, timezone

from standardwebhooks import Webhook


def main():
    secret, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    webhook = Webhook(secret)
    now = datetime.now(tz=timezone.utc)
    timestamp = str(int(now.timestamp()))
    with open(out, "w") as lines:
        for index in range(count):
            msg_id = f"msg_bench_{index}"
            body = json.dumps({"ref": "refs/heads/main", "sequence": index}, separators=(",", ":"))
            lines.write(f"{msg_id}\t{timestamp}\t{webhook.sign(msg_id, now, body)}\t{body}\n")


if __name__ == "__main__":
    main()
