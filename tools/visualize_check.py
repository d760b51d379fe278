"""Checks an SVG `bpu visualize` wrote (tools/visualize_test.sh).

visualize_check.py GRAPH.svg NODES BPU CPU: exactly NODES Graphviz nodes (<g class="node">), BPU
of them filled with the BPU colour and CPU with the CPU colour, every label line at most 60
characters and every label at most 6 lines.
"""
import sys
import xml.etree.ElementTree as ET

BPU, CPU = "#8fd19e", "#f4a261"  # compiler/visualize/visualize.cc FillColor
MAX_CHARS, MAX_LINES = 60, 6
NS = "{http://www.w3.org/2000/svg}"


def main():
    path, nodes, bpu, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    root = ET.parse(path).getroot()
    groups = [g for g in root.iter(NS + "g") if g.get("class") == "node"]
    errors = []
    if len(groups) != nodes:
        errors.append(f"{len(groups)} SVG nodes, expected {nodes}")
    fills = {BPU: 0, CPU: 0}
    for g in groups:
        title = g.find(NS + "title").text
        shapes = [e for e in g if e.tag in (NS + "path", NS + "polygon")]
        fill = shapes[0].get("fill") if shapes else None
        if fill in fills:
            fills[fill] += 1
        lines = [t.text or "" for t in g.iter(NS + "text")]
        if len(lines) > MAX_LINES:
            errors.append(f"node {title}: {len(lines)} label lines")
        for line in lines:
            if len(line) > MAX_CHARS:
                errors.append(f"node {title}: a {len(line)}-character line: {line}")
    if fills[BPU] != bpu or fills[CPU] != cpu:
        errors.append(f"fills: {fills[BPU]} BPU, {fills[CPU]} CPU; expected {bpu}, {cpu}")
    if errors:
        print(f"{path}:\n  " + "\n  ".join(errors))
        sys.exit(1)
    print(f"{path}: {nodes} nodes ({bpu} BPU, {cpu} CPU), labels within {MAX_CHARS} x {MAX_LINES}")


if __name__ == "__main__":
    main()
