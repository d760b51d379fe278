// .npy datasets: directory layouts, batch splitting and dtype/shape checks.
#include "compiler/quantization/dataset.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/npy.h"
#include "common/status_macros.h"

namespace openbpu::quantization {
namespace fs = std::filesystem;

absl::Status Dataset::Add(const ir::Graph& graph, std::vector<Tensor> sample, std::string origin) {
  if (sample.size() != graph.inputs().size()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", sample.size(),
                                                   " tensors for a graph with ",
                                                   graph.inputs().size(), " inputs"));
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    const ir::TensorType& t = graph.inputs()[i]->type();
    if (sample[i].dtype() != t.dtype || sample[i].shape() != t.shape) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": input '", graph.inputs()[i]->name(), "' expects ",
                       DTypeName(t.dtype), ShapeToString(t.shape), ", got ",
                       DTypeName(sample[i].dtype()), ShapeToString(sample[i].shape())));
    }
  }
  samples_.push_back(std::move(sample));
  origins_.push_back(std::move(origin));
  return absl::OkStatus();
}

std::string InputFileName(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

absl::StatusOr<std::vector<Tensor>> SplitSamples(const Tensor& array, const ir::Value& input,
                                                 const std::string& origin) {
  const Shape& s = input.type().shape;
  const Shape& a = array.shape();
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": for input '", input.name(), "' (",
                                                   DTypeName(input.type().dtype), ShapeToString(s),
                                                   "): ", why));
  };
  if (array.dtype() != input.type().dtype) {
    return fail(absl::StrCat("the array is ", DTypeName(array.dtype()), ", expected ",
                             DTypeName(input.type().dtype)));
  }
  std::vector<Tensor> out;
  if (a == s) {
    out.push_back(array);
    return out;
  }
  int64_t count = -1;
  Shape sample_shape = s;
  if (a.size() == s.size() && !s.empty() && s[0] > 0 &&
      std::equal(a.begin() + 1, a.end(), s.begin() + 1) && a[0] % s[0] == 0) {
    count = a[0] / s[0];
  } else if (a.size() == s.size() + 1 && std::equal(a.begin() + 1, a.end(), s.begin())) {
    count = a[0];
  }
  if (count < 0) {
    return fail(absl::StrCat("the array has shape ", ShapeToString(a),
                             "; expected the input's shape, a batch of it along axis 0, or [N] + "
                             "the input's shape"));
  }
  const size_t bytes = static_cast<size_t>(NumElements(s)) * DTypeSize(array.dtype());
  for (int64_t k = 0; k < count; ++k) {
    Tensor t(array.dtype(), sample_shape);
    if (bytes > 0) std::memcpy(t.raw(), array.raw() + k * bytes, bytes);
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

struct Origined {
  Tensor tensor;
  std::string origin;
};

absl::StatusOr<std::vector<std::string>> NpyFiles(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && absl::EndsWith(it->path().filename().string(), ".npy")) {
      files.push_back(it->path().string());
    }
  }
  if (ec) {
    return absl::NotFoundError(absl::StrCat("cannot list '", dir.string(), "': ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Samples of one input from a list of files, in order.
absl::StatusOr<std::vector<Origined>> LoadInputFiles(const std::vector<std::string>& files,
                                                     const ir::Value& input) {
  std::vector<Origined> out;
  for (const std::string& f : files) {
    absl::StatusOr<Tensor> t = ReadNpy(f);
    if (!t.ok()) {
      return absl::Status(t.status().code(),
                          absl::StrCat(f, " (input '", input.name(), "'): ", t.status().message()));
    }
    OPENBPU_ASSIGN_OR_RETURN(std::vector<Tensor> parts, SplitSamples(*t, input, f));
    for (size_t k = 0; k < parts.size(); ++k) {
      out.push_back({std::move(parts[k]), parts.size() == 1 ? f : absl::StrCat(f, "[", k, "]")});
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Dataset> LoadDataset(const std::string& path, const ir::Graph& graph) {
  const std::vector<ir::Value*>& inputs = graph.inputs();
  if (inputs.empty()) return absl::InvalidArgumentError("the graph has no inputs");
  std::error_code ec;
  const fs::path p(path);
  std::vector<std::vector<Origined>> per_input(inputs.size());
  if (fs::is_regular_file(p, ec)) {
    if (inputs.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": one .npy file can only feed a single-input graph; this one has ", inputs.size(),
          " inputs (use a directory with <input>.npy files or <input>/ folders)"));
    }
    OPENBPU_ASSIGN_OR_RETURN(per_input[0], LoadInputFiles({path}, *inputs[0]));
  } else if (fs::is_directory(p, ec)) {
    bool all_dirs = true, all_files = true;
    for (const ir::Value* in : inputs) {
      all_dirs = all_dirs && fs::is_directory(p / InputFileName(in->name()), ec);
      all_files = all_files && fs::is_regular_file(p / (InputFileName(in->name()) + ".npy"), ec);
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::vector<std::string> files;
      const std::string base = InputFileName(inputs[i]->name());
      if (all_dirs) {
        OPENBPU_ASSIGN_OR_RETURN(files, NpyFiles(p / base));
        if (files.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              (p / base).string(), ": no .npy files for input '", inputs[i]->name(), "'"));
        }
      } else if (all_files && inputs.size() > 1) {
        files = {(p / (base + ".npy")).string()};
      } else if (inputs.size() == 1) {
        OPENBPU_ASSIGN_OR_RETURN(files, NpyFiles(p));
        if (files.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no .npy files"));
      } else {
        std::string names;
        for (const ir::Value* in : inputs) absl::StrAppend(&names, " ", InputFileName(in->name()));
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": a graph with ", inputs.size(),
            " inputs needs one subdirectory or one .npy file per input named:", names));
      }
      OPENBPU_ASSIGN_OR_RETURN(per_input[i], LoadInputFiles(files, *inputs[i]));
    }
  } else {
    return absl::NotFoundError(absl::StrCat("dataset '", path, "' does not exist"));
  }
  for (size_t i = 1; i < inputs.size(); ++i) {
    if (per_input[i].size() != per_input[0].size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": input '", inputs[0]->name(), "' has ", per_input[0].size(),
                       " samples but input '", inputs[i]->name(), "' has ", per_input[i].size()));
    }
  }
  Dataset ds;
  for (size_t k = 0; k < per_input[0].size(); ++k) {
    std::vector<Tensor> sample;
    std::string origin;
    for (size_t i = 0; i < inputs.size(); ++i) {
      sample.push_back(std::move(per_input[i][k].tensor));
      absl::StrAppend(&origin, i ? " + " : "", per_input[i][k].origin);
    }
    OPENBPU_RETURN_IF_ERROR(ds.Add(graph, std::move(sample), origin));
  }
  if (ds.num_samples() == 0) return absl::InvalidArgumentError(absl::StrCat(path, ": no samples"));
  return ds;
}

}  // namespace openbpu::quantization
