"""Checks a Chrome trace-event JSON file: valid JSON, well-formed events, the tracks of the units.

Usage: trace_check.py TRACE.json MIN_EVENTS NUM_TRACKS
"""
import json
import sys


def main():
    path, min_events, tracks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    names = {e["tid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    # One track per unit; a DMA queue's overlapping transfers add tracks of the same name.
    assert len(set(names.values())) == tracks, names
    assert len(complete) >= min_events, len(complete)
    for e in complete:
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        assert e["tid"] in names, e
        assert e["cat"] == names[e["tid"]], e
    # Events on one track never overlap.
    by_tid = {}
    for e in complete:
        by_tid.setdefault(e["tid"], []).append((e["args"]["start_cycle"], e["args"]["end_cycle"]))
    for spans in by_tid.values():
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            assert a[1] <= b[0], (a, b)
    print("trace-check: %d events on %d tracks OK" % (len(complete), len(by_tid)))


if __name__ == "__main__":
    main()
