// The runtime core (runtime.h): .hbm loading, model descriptors, the raw and float run paths and
// the section loader registry. It names no backend: each section comes from its type's loader.
#include "runtime/runtime.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "hbm/hbm.h"
#include "hbm/segment.h"
#include "runtime/section.h"

namespace openbpu::runtime {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, SectionLoader> loaders;
};
Registry& GlobalRegistry() {
  static Registry* r = new Registry;
  return *r;
}

absl::StatusOr<DType> DTypeOf(const hbm::TensorDesc& d) {
  absl::StatusOr<DType> dtype = hbm::FromProtoDType(d.dtype());
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", d.name(), "': ", dtype.status().message()));
  }
  return dtype;
}

}  // namespace

// The descriptor as the application sees it; its byte size must be its elements'.

absl::StatusOr<TensorInfo> DescriptorInfo(const hbm::TensorDesc& d) {
  TensorInfo t;
  t.name = d.name();
  absl::StatusOr<DType> dtype = DTypeOf(d);
  if (!dtype.ok()) return dtype.status();
  t.dtype = *dtype;
  t.valid_shape.assign(d.valid_shape().begin(), d.valid_shape().end());
  if (d.layout() == hbm::TensorDesc::BPU_RAW) {
    return absl::UnimplementedError(absl::StrCat("tensor '", d.name(), "' in layout BPU_RAW"));
  }
  t.layout = d.layout() == hbm::TensorDesc::NCHW ? Layout::kNCHW : Layout::kNHWC;
  t.aligned_shape = t.valid_shape;
  if (t.layout == Layout::kNHWC && t.aligned_shape.size() >= 3) {  // the channel dimension last
    const int64_t c = t.aligned_shape[1];
    t.aligned_shape.erase(t.aligned_shape.begin() + 1);
    t.aligned_shape.push_back(c);
  }
  t.quant_type = d.quant_type() == hbm::TensorDesc::SCALE ? QuantType::kScale : QuantType::kNone;
  t.scales.assign(d.scales().begin(), d.scales().end());
  t.axis = d.quant_axis();
  t.bytes = d.ddr_bytes();
  uint64_t elements = 1;
  for (int64_t dim : t.valid_shape) {
    if (dim < 0) return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name, "': dim < 0"));
    elements *= static_cast<uint64_t>(dim);
  }
  if (elements * DTypeSize(t.dtype) != t.bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor '", t.name, "': shape ", ShapeToString(t.valid_shape), " of ", DTypeName(t.dtype),
        " is ", elements * DTypeSize(t.dtype), " bytes, its buffer ", t.bytes));
  }
  if (t.quant_type == QuantType::kScale && t.scales.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", t.name, "' has no scale"));
  }
  return t;
}

const char* BackendName(Backend b) {
  switch (b) {
    case Backend::kFunctional:
      return "func";
    case Backend::kTiming:
      return "perf";
    case Backend::kBoth:
      return "both";
  }
  return "?";
}

absl::StatusOr<Backend> ParseBackend(absl::string_view name) {
  if (name == "func") return Backend::kFunctional;
  if (name == "perf") return Backend::kTiming;
  if (name == "both") return Backend::kBoth;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown backend '", name, "' (func, perf or both)"));
}

bool RegisterSectionLoader(const std::string& type, SectionLoader loader) {
  Registry& r = GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.loaders.emplace(type, std::move(loader)).second) {
    std::fprintf(stderr, "openbpu runtime: two loaders for section type '%s'\n", type.c_str());
    std::abort();
  }
  return true;
}

absl::StatusOr<SectionLoader> FindSectionLoader(const std::string& type) {
  Registry& r = GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.loaders.find(type);
  if (it == r.loaders.end()) {
    std::vector<std::string> have;
    for (const auto& [k, v] : r.loaders) have.push_back(k);
    return absl::FailedPreconditionError(absl::StrCat(
        "no loader for section type '", type, "' is linked in (have: ",
        have.empty() ? "none; link //runtime, not //runtime:core" : absl::StrJoin(have, ", "),
        ")"));
  }
  return it->second;
}

std::vector<std::string> SectionTypes() {
  Registry& r = GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> types;
  for (const auto& [k, v] : r.loaders) types.push_back(k);
  return types;
}

Model::~Model() = default;

absl::StatusOr<std::unique_ptr<Package>> Package::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::StatusOr<std::unique_ptr<Package>> p =
      LoadMemory(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!p.ok())
    return absl::Status(p.status().code(), absl::StrCat(path, ": ", p.status().message()));
  return p;
}

absl::StatusOr<std::unique_ptr<Package>> Package::LoadMemory(absl::Span<const uint8_t> bytes) {
  absl::StatusOr<hbm::Payload> payload = hbm::ReadHbm(bytes);
  if (!payload.ok()) return payload.status();
  std::unique_ptr<Package> pkg(new Package);
  pkg->march_ = payload->header().march();
  absl::StatusOr<SectionLoader> bpu = FindSectionLoader(kBpuProgramSection);
  if (!bpu.ok()) return bpu.status();
  for (const hbm::Model& m : payload->models()) {
    std::unique_ptr<Model> model(new Model);
    model->name_ = m.name();
    model->march_ = pkg->march_;
    auto fail = [&](const absl::Status& st) {
      return absl::Status(st.code(), absl::StrCat("model '", m.name(), "': ", st.message()));
    };
    for (const hbm::TensorDesc& d : m.inputs()) {
      absl::StatusOr<TensorInfo> t = DescriptorInfo(d);
      if (!t.ok()) return fail(t.status());
      model->inputs_.push_back(*std::move(t));
      model->input_offsets_.push_back(d.ddr_offset());
    }
    for (const hbm::TensorDesc& d : m.outputs()) {
      absl::StatusOr<TensorInfo> t = DescriptorInfo(d);
      if (!t.ok()) return fail(t.status());
      model->outputs_.push_back(*std::move(t));
      model->output_offsets_.push_back(d.ddr_offset());
    }
    model->input_region_bytes_ = m.memory_plan().input_bytes();
    model->output_region_bytes_ = m.memory_plan().output_bytes();
    for (size_t i = 0; i < model->inputs_.size(); ++i) {
      if (model->input_offsets_[i] + model->inputs_[i].bytes > model->input_region_bytes_) {
        return fail(absl::InvalidArgumentError(
            absl::StrCat("input '", model->inputs_[i].name, "' lies outside the input region")));
      }
    }
    for (size_t i = 0; i < model->outputs_.size(); ++i) {
      if (model->output_offsets_[i] + model->outputs_[i].bytes > model->output_region_bytes_) {
        return fail(absl::InvalidArgumentError(
            absl::StrCat("output '", model->outputs_[i].name, "' lies outside the output region")));
      }
    }
    absl::StatusOr<std::unique_ptr<Executor>> exe = absl::InternalError("no loader");
    if (m.segments_size() > 0) {
      absl::StatusOr<SectionLoader> hybrid = FindSectionLoader(kHybridSection);
      if (!hybrid.ok()) return fail(hybrid.status());
      exe = (*hybrid)(m, pkg->march_);
    } else {
      exe = (*bpu)(m, pkg->march_);
    }
    if (!exe.ok()) return fail(exe.status());
    model->executor_ = *std::move(exe);
    pkg->models_.push_back(std::move(model));
  }
  return pkg;
}

std::vector<std::string> Package::model_names() const {
  std::vector<std::string> names;
  for (const auto& m : models_) names.push_back(m->name());
  return names;
}

absl::StatusOr<const Model*> Package::GetModel(absl::string_view name) const {
  for (const auto& m : models_) {
    if (m->name() == name) return m.get();
  }
  return absl::NotFoundError(absl::StrCat("the package has no model '", name,
                                          "' (it has: ", absl::StrJoin(model_names(), ", "), ")"));
}

absl::StatusOr<std::vector<std::vector<uint8_t>>> Model::RunRaw(
    const std::vector<absl::Span<const uint8_t>>& inputs, const RunOptions& options,
    RunStats* stats) const {
  if (inputs.size() != inputs_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", name_, "' has ", inputs_.size(), " inputs; got ", inputs.size()));
  }
  std::vector<uint8_t> in_region(input_region_bytes_, 0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != inputs_[i].bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", inputs_[i].name, "' is ", inputs_[i].bytes, " bytes; got ", inputs[i].size()));
    }
    if (!inputs[i].empty()) {
      std::copy(inputs[i].begin(), inputs[i].end(), in_region.begin() + input_offsets_[i]);
    }
  }
  std::vector<uint8_t> out_region(output_region_bytes_, 0);
  RunStats local;
  if (absl::Status st = executor_->Run(in_region, absl::MakeSpan(out_region), options,
                                       stats != nullptr ? stats : &local);
      !st.ok()) {
    return absl::Status(st.code(), absl::StrCat("model '", name_, "': ", st.message()));
  }
  std::vector<std::vector<uint8_t>> outputs;
  if (options.backend == Backend::kTiming) return outputs;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const auto begin = out_region.begin() + static_cast<std::ptrdiff_t>(output_offsets_[i]);
    outputs.emplace_back(begin, begin + static_cast<std::ptrdiff_t>(outputs_[i].bytes));
  }
  return outputs;
}

absl::StatusOr<std::vector<Tensor>> Model::Run(const std::vector<Tensor>& inputs,
                                               const RunOptions& options, RunStats* stats) const {
  if (inputs.size() != inputs_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", name_, "' has ", inputs_.size(), " inputs; got ", inputs.size()));
  }
  std::vector<std::vector<uint8_t>> raw;
  for (size_t i = 0; i < inputs.size(); ++i) {
    absl::StatusOr<std::vector<uint8_t>> q = QuantizeInput(inputs[i], inputs_[i]);
    if (!q.ok()) return q.status();
    raw.push_back(*std::move(q));
  }
  std::vector<absl::Span<const uint8_t>> spans(raw.begin(), raw.end());
  absl::StatusOr<std::vector<std::vector<uint8_t>>> out = RunRaw(spans, options, stats);
  if (!out.ok()) return out.status();
  std::vector<Tensor> result;
  for (size_t i = 0; i < out->size(); ++i) {
    absl::StatusOr<Tensor> y = DequantizeOutput((*out)[i], outputs_[i]);
    if (!y.ok()) return y.status();
    result.push_back(*std::move(y));
  }
  return result;
}

}  // namespace openbpu::runtime
