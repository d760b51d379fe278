"""Checks a Chrome trace-event JSON file: valid JSON, well-formed events, the tracks of the units.

Usage: trace_check.py TRACE.json MIN_EVENTS NUM_TRACKS [CORES]

Every core is a process ("BPU core K", pid K) with one track per unit (NUM_TRACKS unit names per
core); CORES (default 1) is the number of such processes the trace must have.
"""
import json
import sys


def main():
    path, min_events, tracks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cores = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    complete = [e for e in events if e["ph"] == "X"]
    processes = {e["pid"]: e["args"]["name"] for e in events
                 if e["ph"] == "M" and e["name"] == "process_name"}
    assert processes == {c: "BPU core %d" % c for c in range(cores)}, processes
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    # One track per unit and core; a DMA queue's overlapping transfers add tracks of the same name.
    for c in range(cores):
        assert len({n for (pid, _), n in names.items() if pid == c}) == tracks, names
    assert len(complete) >= min_events, len(complete)
    for e in complete:
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
        assert (e["pid"], e["tid"]) in names, e
        assert e["cat"] == names[(e["pid"], e["tid"])], e
    # Events on one track never overlap.
    by_track = {}
    for e in complete:
        by_track.setdefault((e["pid"], e["tid"]), []).append(
            (e["args"]["start_cycle"], e["args"]["end_cycle"]))
    for spans in by_track.values():
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            assert a[1] <= b[0], (a, b)
    print("trace-check: %d events on %d tracks of %d core(s) OK" %
          (len(complete), len(by_track), cores))


if __name__ == "__main__":
    main()
