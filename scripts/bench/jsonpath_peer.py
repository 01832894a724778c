#!/usr/bin/env python3
"""Python peer for the JSONPath benchmark: the same filters on the same pre-parsed event,
evaluated with the PyPI package jsonpath-rfc9535 (which passes the whole RFC 9535 CTS).

Fairness: a trigger filter binds both `$` and `@` to the event. jsonpath-rfc9535 has no
filter-only API, so each filter is compiled once as the query `$[?<filter>]` and its compiled
FilterSelector expression is evaluated directly with FilterContext(root=event, current=event)
-- exactly the trigger semantics, with no node-list building (mode "expression"; this is the
number the ratio uses). For reference, mode "query" runs the public API the way a user would:
`compile("$[?<filter>]").find([event])` with `$` rewritten to `@` outside string literals (in
that query `$` would be the wrapping array), true when a node is found.

Usage: jsonpath_peer.py FIXTURES.json [--quick]
FIXTURES.json comes from `JSONPathBenchmark --fixtures` ({"event": "<json text>", "filters":
[{"name": ..., "filter": ...}]}). Prints a table and `RESULT ...` lines.
"""
import json
import sys
import time

import jsonpath_rfc9535 as jsonpath
from jsonpath_rfc9535.filter_expressions import FilterContext


def measure(fn, minimum):
    """Calls fn in batches until `minimum` seconds have passed; returns calls per second."""
    batch = 200
    for _ in range(batch):  # warm-up
        fn()
    calls = 0
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        calls += batch
        elapsed = time.perf_counter() - start
        if elapsed >= minimum:
            return calls / elapsed


def dollar_to_at(text):
    """Rewrites `$` to `@` outside quoted strings (for the whole-query mode)."""
    out, quote, escaped = [], None, False
    for ch in text:
        if quote:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        else:
            if ch in ("'", '"'):
                quote = ch
            out.append("@" if ch == "$" else ch)
    return "".join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    minimum = 0.2 if "--quick" in sys.argv else 1.0
    with open(args[0], encoding="utf-8") as f:
        fixtures = json.load(f)
    event_text = fixtures["event"]
    event = json.loads(event_text)
    env = jsonpath.DEFAULT_ENV
    print(f"JSONPath peer: Python {sys.version.split()[0]}, jsonpath-rfc9535 (RFC 9535, CTS-compliant)")
    print(f"{'filter':22}{'expr evals/s':>14}{'query evals/s':>15}  result")
    for item in fixtures["filters"]:
        name, text = item["name"], item["filter"]
        selector = jsonpath.compile(f"$[?{text}]").segments[0].selectors[0]
        expression = selector.expression
        context = FilterContext(env=env, current=event, root=event)
        result = bool(expression.evaluate(context))

        def evaluate_expression():
            return expression.evaluate(FilterContext(env=env, current=event, root=event))

        query = jsonpath.compile(f"$[?{dollar_to_at(text)}]")
        wrapped = [event]
        query_result = len(query.find(wrapped)) > 0
        if query_result != result:
            print(f"warning: modes disagree for {name}", file=sys.stderr)

        def evaluate_query():
            return len(query.find(wrapped)) > 0

        expr_rate = measure(evaluate_expression, minimum)
        query_rate = measure(evaluate_query, minimum)
        print(f"{name:22}{expr_rate:>14,.0f}{query_rate:>15,.0f}  {str(result).lower()}")
        print(f"RESULT filter {name} {int(expr_rate)}")
        print(f"RESULT query {name} {int(query_rate)}")
    parse_rate = measure(lambda: json.loads(event_text), minimum)
    mb_s = parse_rate * len(event_text.encode()) / 1e6
    print(f"json.loads (C accelerated) of the event: {parse_rate:,.0f} parses/s, {mb_s:.1f} MB/s")
    print(f"RESULT parse_event_mb_s {mb_s:.1f}")
    print(f"RESULT parse_event_ns {1e9 / parse_rate:.0f}")


if __name__ == "__main__":
    main()
