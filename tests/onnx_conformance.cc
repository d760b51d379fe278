// ONNX backend node-test conformance of the float reference interpreter.
// Runs every test in Debian's libonnx-testdata (node, pytorch-converted,
// pytorch-operator, simple) whose ops the importer knows (frontend::ImportsOnnxOp),
// compares outputs with the ONNX backend runner's default tolerance (rtol 1e-3,
// atol 1e-7) and checks the rejected list against a committed golden file.
//
// Flags: --filter=SUBSTR  run only matching tests (no count/golden checks)
//        --write_golden=PATH  write the current rejected list to PATH
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/tensor.h"
#include "compiler/frontend/onnx_importer.h"
#include "compiler/frontend/onnx_tensor.h"
#include "compiler/ir/op_registry.h"
#include "compiler/reference/float_interpreter.h"
#include "onnx/onnx_pb.h"

namespace openbpu {
namespace {

namespace fs = std::filesystem;

constexpr char kDataRoot[] = "/usr/share/libonnx-testdata/data";
constexpr const char* kSuites[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

enum class Outcome { kPassed, kFailed, kRejected, kOutOfScope };

struct Result {
  Outcome outcome;
  std::string detail;
};

absl::StatusOr<Tensor> ReadTensorPb(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buffer.str())) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path.string()));
  }
  return frontend::TensorFromOnnx(proto);
}

std::vector<fs::path> SortedFiles(const fs::path& dir, absl::string_view prefix) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (absl::StartsWith(e.path().filename().string(), prefix)) files.push_back(e.path());
  }
  // input_0.pb, input_1.pb, ... input_10.pb: sort by the number.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    auto num = [](const fs::path& p) {
      std::string s = p.stem().string();
      return std::stoi(s.substr(s.rfind('_') + 1));
    };
    return num(a) < num(b);
  });
  return files;
}

std::string Compare(const Tensor& got, const Tensor& want, int index) {
  if (got.shape() != want.shape()) {
    return absl::StrCat("output ", index, ": shape ", ShapeToString(got.shape()), " != expected ",
                        ShapeToString(want.shape()));
  }
  if (got.dtype() != want.dtype()) {
    return absl::StrCat("output ", index, ": dtype ", DTypeName(got.dtype()), " != expected ",
                        DTypeName(want.dtype()));
  }
  const bool is_float = want.dtype() == DType::kFloat32 || want.dtype() == DType::kFloat64;
  int bad = 0;
  std::string first;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double g = got.GetAsDouble(i);
    const double w = want.GetAsDouble(i);
    bool ok;
    if (is_float) {
      ok = (std::isnan(g) && std::isnan(w)) || g == w ||
           std::abs(g - w) <= 1e-7 + 1e-3 * std::abs(w);
    } else {
      ok = got.GetAsInt64(i) == want.GetAsInt64(i);
    }
    if (!ok && bad++ == 0)
      first = absl::StrCat(" (first at ", i, ": got ", g, ", expected ", w, ")");
  }
  if (bad == 0) return "";
  return absl::StrCat("output ", index, ": ", bad, " of ", want.num_elements(), " elements differ",
                      first);
}

Result RunTest(const fs::path& dir) {
  std::ifstream in(dir / "model.onnx", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return {Outcome::kFailed, "model.onnx does not parse"};
  for (const onnx::NodeProto& node : model.graph().node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") return {Outcome::kOutOfScope, ""};
    if (!frontend::ImportsOnnxOp(node.op_type())) return {Outcome::kOutOfScope, ""};
  }
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& info : model.graph().input()) {
    if (initializers.count(info.name()) == 0) inputs.push_back(&info);
  }

  std::set<std::string> constant_only;
  for (const onnx::NodeProto& node : model.graph().node()) {
    // Upsample is imported as Resize; its scales (input 1) must be constant too.
    if (node.op_type() == "Upsample" && node.input_size() > 1) constant_only.insert(node.input(1));
    const ir::OpSchema* schema = ir::OpRegistry::Global().Find(node.op_type());
    if (schema == nullptr) continue;
    for (int index : schema->constant_inputs) {
      if (index < node.input_size()) constant_only.insert(node.input(index));
    }
  }

  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && absl::StartsWith(e.path().filename().string(), "test_data_set_")) {
      sets.push_back(e.path());
    }
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::kFailed, "no test_data_set"};
  for (const fs::path& set : sets) {
    std::vector<Tensor> feeds;
    for (const fs::path& p : SortedFiles(set, "input_")) {
      absl::StatusOr<Tensor> t = ReadTensorPb(p);
      if (!t.ok()) return {Outcome::kRejected, std::string(t.status().message())};
      feeds.push_back(*std::move(t));
    }
    if (feeds.size() != inputs.size()) {
      return {Outcome::kFailed,
              absl::StrCat(feeds.size(), " inputs for ", inputs.size(), " graph inputs")};
    }
    // Shape-like inputs (int64, or feeding an input an op requires to be
    // constant) are bound as constants; the rest are fed.
    frontend::OnnxImportOptions options;
    std::vector<Tensor> runtime_inputs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (feeds[i].dtype() == DType::kInt64 || constant_only.count(inputs[i]->name()) > 0) {
        options.bind_constants[inputs[i]->name()] = feeds[i];
      } else {
        options.input_shapes[inputs[i]->name()] = feeds[i].shape();
        runtime_inputs.push_back(feeds[i]);
      }
    }
    absl::StatusOr<std::unique_ptr<ir::Graph>> graph = frontend::ImportOnnx(bytes, options);
    if (!graph.ok()) {
      const bool rejected = graph.status().code() == absl::StatusCode::kUnimplemented;
      return {rejected ? Outcome::kRejected : Outcome::kFailed,
              absl::StrCat("import: ", graph.status().ToString())};
    }
    absl::StatusOr<std::vector<Tensor>> outputs = reference::RunFloat(**graph, runtime_inputs);
    if (!outputs.ok()) {
      const bool rejected = outputs.status().code() == absl::StatusCode::kUnimplemented;
      return {rejected ? Outcome::kRejected : Outcome::kFailed,
              absl::StrCat("run: ", outputs.status().ToString())};
    }
    std::vector<fs::path> expected_files = SortedFiles(set, "output_");
    if (expected_files.size() != outputs->size()) {
      return {Outcome::kFailed,
              absl::StrCat(outputs->size(), " outputs, expected ", expected_files.size())};
    }
    for (size_t i = 0; i < expected_files.size(); ++i) {
      absl::StatusOr<Tensor> want = ReadTensorPb(expected_files[i]);
      if (!want.ok()) return {Outcome::kRejected, std::string(want.status().message())};
      std::string diff = Compare((*outputs)[i], *want, static_cast<int>(i));
      if (!diff.empty())
        return {Outcome::kFailed, absl::StrCat(set.filename().string(), ": ", diff)};
    }
  }
  return {Outcome::kPassed, ""};
}

// The committed golden file: the number of tests that pass ("passed: N") and the tests that are
// rejected, one name a line.
struct Golden {
  bool found = false;
  int passed = -1;
  std::set<std::string> rejected;
};

Golden ReadGolden(const std::string& path) {
  Golden golden;
  std::ifstream in(path);
  golden.found = static_cast<bool>(in);
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view s = absl::StripAsciiWhitespace(line);
    if (s.empty() || s[0] == '#') continue;
    if (absl::ConsumePrefix(&s, "passed:")) {
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(s), &golden.passed)) golden.passed = -1;
      continue;
    }
    golden.rejected.insert(std::string(s.substr(0, s.find(' '))));
  }
  return golden;
}

int Main(int argc, char** argv) {
  std::string filter, write_golden;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--filter=")) filter = std::string(arg);
    if (absl::ConsumePrefix(&arg, "--write_golden=")) write_golden = std::string(arg);
  }
  std::map<std::string, Result> results;
  for (const char* suite : kSuites) {
    const fs::path root = fs::path(kDataRoot) / suite;
    if (!fs::is_directory(root)) {
      std::printf("missing ONNX test data: %s (install libonnx-testdata)\n", root.c_str());
      return 1;
    }
    for (const auto& e : fs::directory_iterator(root)) {
      const std::string name = absl::StrCat(suite, "/", e.path().filename().string());
      if (!filter.empty() && !absl::StrContains(name, filter)) continue;
      if (!fs::exists(e.path() / "model.onnx")) continue;
      Result r = RunTest(e.path());
      if (r.outcome != Outcome::kOutOfScope) results[name] = r;
    }
  }
  int passed = 0, failed = 0, rejected = 0;
  std::string failures, rejections;
  for (const auto& [name, r] : results) {
    if (r.outcome == Outcome::kPassed) ++passed;
    if (r.outcome == Outcome::kFailed) {
      ++failed;
      absl::StrAppend(&failures, "  FAILED ", name, ": ", r.detail, "\n");
    }
    if (r.outcome == Outcome::kRejected) {
      ++rejected;
      absl::StrAppend(&rejections, "  REJECTED ", name, ": ", r.detail, "\n");
    }
  }
  std::printf("onnx-conformance: %d passed, %d failed, %d rejected\n", passed, failed, rejected);
  std::printf("%s%s", failures.c_str(), rejections.c_str());

  if (!write_golden.empty()) {
    std::ofstream out(write_golden);
    out << "# ONNX backend tests the float reference rejects as unsupported (UNIMPLEMENTED).\n"
        << "# A list to shrink: onnx_conformance fails if a test not listed here is rejected.\n"
        << "# The passed count is asserted too: a test that stops passing fails onnx_conformance.\n"
        << "# Regenerate: bazel run //tests:onnx_conformance -- --write_golden=$PWD/tests/"
           "onnx_conformance_rejected.txt\n"
        << "passed: " << passed << "\n";
    for (const auto& [name, r] : results) {
      if (r.outcome == Outcome::kRejected) out << name << "  # " << r.detail.substr(0, 160) << "\n";
    }
    std::printf("wrote %s\n", write_golden.c_str());
  }
  if (!filter.empty()) return failed == 0 ? 0 : 1;

  bool ok = failed == 0;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string golden_path =
      srcdir ? absl::StrCat(srcdir, "/openbpu/tests/onnx_conformance_rejected.txt")
             : "tests/onnx_conformance_rejected.txt";
  const Golden golden_file = ReadGolden(golden_path);
  if (!golden_file.found || golden_file.passed < 0) {
    std::printf("FAIL: %s is missing or has no 'passed: N' line\n", golden_path.c_str());
    ok = false;
  } else if (passed != golden_file.passed) {
    std::printf(
        "FAIL: %d passed, the golden file records %d: %s; if the change is intended, "
        "regenerate the golden file with --write_golden\n",
        passed, golden_file.passed,
        passed < golden_file.passed ? "tests that passed no longer do" : "more tests pass");
    ok = false;
  } else {
    std::printf("passed count %d equals the golden count\n", passed);
  }
  const std::set<std::string>& golden = golden_file.rejected;
  for (const auto& [name, r] : results) {
    if (r.outcome == Outcome::kRejected && golden.count(name) == 0) {
      std::printf("FAIL: %s is rejected but not in the golden rejected list\n", name.c_str());
      ok = false;
    }
  }
  for (const std::string& name : golden) {
    auto it = results.find(name);
    if (it == results.end() || it->second.outcome != Outcome::kRejected) {
      std::printf("FAIL: golden list names %s, which is no longer rejected: remove it\n",
                  name.c_str());
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace openbpu

int main(int argc, char** argv) { return openbpu::Main(argc, argv); }
