#!/usr/bin/env python3
"""Reads Signalbox's notifications with the CloudEvents Python SDK (PyPI `cloudevents`, its
RabbitMQ protocol binding), so the tests prove them against someone else's implementation.

    cloudevents_peer.py MESSAGES.json

MESSAGES.json is a list of AMQP messages as received: {"contentType": "…", "headers": {…},
"body": "<text>"}. Prints a JSON list, in the same order, of each event's attributes (`time`
as the SDK parsed it, in ISO 8601) and its `data`. Fails if the SDK refuses a message.
"""
import json
import sys

from cloudevents.core.bindings import rabbitmq


def read(message):
    event = rabbitmq.from_rabbitmq_event(
        rabbitmq.RabbitMQMessage(
            headers=message.get("headers", {}),
            content_type=message.get("contentType"),
            body=message["body"].encode(),
        )
    )
    attributes = dict(event.get_attributes())
    time = attributes.get("time")
    if time is not None:
        attributes["time"] = time.isoformat()
    return {"attributes": attributes, "data": event.get_data()}


def main():
    with open(sys.argv[1]) as file:
        messages = json.load(file)
    print(json.dumps([read(message) for message in messages]))


if __name__ == "__main__":
    main()
