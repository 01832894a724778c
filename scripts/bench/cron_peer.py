#!/usr/bin/env python3
"""The peer for Benchmarks/CronBenchmark: the same mix, measured with PyPI's croniter.

Each case walks 200 consecutive occurrences from 2026-01-01T00:00:00Z in its zone, then resets
the iterator to the start, exactly as the Swift benchmark does.

Usage: cron_peer.py [rounds]   timing, `rounds` walks of 200 per case (default 20)
       cron_peer.py --verify   prints the 200 occurrences of each case as Unix seconds
"""
import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from croniter import croniter

MIX = [
    ("*/15 * * * *", "UTC"),
    ("0 9 * * 1-5", "Europe/Berlin"),
    ("30 2 * * *", "Europe/Berlin"),
    ("0 */2 * * *", "America/New_York"),
    ("0 0 1,15 * 5", "America/New_York"),
    ("5 4 * * sun", "Australia/Lord_Howe"),
    ("*/20 * * * * *", "Australia/Lord_Howe"),
    ("0 0 29 2 *", "UTC"),
    ("@daily", "Europe/Berlin"),
    ("@hourly", "America/New_York"),
    ("0 12 1-7 * 1", "UTC"),
    ("15 10 1 jan-dec/3 *", "Europe/Berlin"),
]
WALK = 200
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def iterator(expression, zone):
    start = START.astimezone(ZoneInfo(zone))
    seconds_first = len(expression.split()) == 6
    return croniter(expression, start, second_at_beginning=seconds_first), start


def main():
    args = sys.argv[1:]
    if args and args[0] == "--verify":
        for index, (expression, zone) in enumerate(MIX):
            it, _ = iterator(expression, zone)
            times = [str(int(it.get_next(float))) for _ in range(WALK)]
            print(f"case {index}: {' '.join(times)}")
        return
    rounds = int(args[0]) if args else 20
    calls = 0
    total = 0.0
    checksum = 0.0
    for expression, zone in MIX:
        it, start = iterator(expression, zone)
        for _ in range(WALK):  # warm up
            it.get_next(float)
        began = time.perf_counter()
        for _ in range(rounds):
            it.set_current(start, force=True)
            for _ in range(WALK):
                checksum += it.get_next(float)
        elapsed = time.perf_counter() - began
        total += elapsed
        calls += rounds * WALK
        print(f"  {expression:<20} {zone:<20} {int(rounds * WALK / elapsed)} next/s")
    print(f"checksum {checksum}")
    print(f"croniter next/s: {int(calls / total)}")


if __name__ == "__main__":
    main()
