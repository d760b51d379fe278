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
    # Schema: every event names its phase, process and thread; metadata events carry their args;
    # complete events their timing, category and the instruction they stand for.
    for e in events:
        for key in ("name", "ph", "pid", "tid"):
            assert key in e, (key, e)
        assert e["ph"] in ("X", "M"), e
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "thread_sort_index"), e
            assert isinstance(e.get("args"), dict), e
    for e in complete:
        for key in ("cat", "ts", "dur", "args"):
            assert key in e, (key, e)
        for key in ("instruction", "layer", "start_cycle", "end_cycle", "ddr_bytes", "macs"):
            assert key in e["args"], (key, e)
        assert e["args"]["end_cycle"] >= e["args"]["start_cycle"], e
    # Timestamps are monotonic along each track, in file order.
    last_ts = {}
    for e in complete:
        track = (e["pid"], e["tid"])
        assert e["ts"] >= last_ts.get(track, 0), ("timestamps go back on", track, e)
        last_ts[track] = e["ts"]
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
