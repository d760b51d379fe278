"""Writes a C++ source holding a file's bytes: the bundled model openbpu-server serves when it is
given no model (runtime/server/BUILD.bazel, :bundled_model).

Usage: embed.py INPUT OUTPUT.cc
"""
import sys


def main():
    data = open(sys.argv[1], "rb").read()
    rows = []
    for i in range(0, len(data), 16):
        rows.append("    " + ", ".join(str(b) for b in data[i:i + 16]) + ",")
    with open(sys.argv[2], "w") as out:
        out.write('#include "runtime/server/bundled_model.h"\n\n')
        out.write("namespace openbpu::server {\nnamespace {\n")
        out.write(f"const uint8_t kBytes[{len(data)}] = {{\n")
        out.write("\n".join(rows))
        out.write("\n};\n}  // namespace\n\n")
        out.write("absl::Span<const uint8_t> BundledModel() { return kBytes; }\n\n")
        out.write("}  // namespace openbpu::server\n")


if __name__ == "__main__":
    main()
