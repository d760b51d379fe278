// Shared builders for the agreement case generators (see agreement_case_util.h).
#include "compiler/quantization/agreement_case_util.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace openbpu::quantization {
namespace {

struct Config {
  const char* march;
  DType dtype;
};
constexpr Config kConfigs[] = {
    {"bayes", DType::kInt8}, {"bayes", DType::kInt16}, {"bernoulli2", DType::kInt8}};

}  // namespace

Tensor UniformTensor(const Shape& shape, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(DType::kFloat32, shape);
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

Tensor I64(const std::vector<int64_t>& v) {
  return Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v);
}

Tensor F32(const Shape& shape, const std::vector<float>& v) {
  return Tensor::FromVector<float>(shape, v);
}

ir::Value* CaseContext::In(Tensor t) {
  const DType dtype = t.dtype();
  const Shape shape = t.shape();
  inputs.push_back(std::move(t));
  return b.Input(absl::StrCat("x", inputs.size() - 1), dtype, shape);
}

CaseVariant Saturating(CaseVariant v, float calibration_scale) {
  return {absl::StrCat("saturating ", v.first),
          [build = std::move(v.second), calibration_scale](CaseContext& c) {
            build(c);
            c.calibration_scale = calibration_scale;
          }};
}

CaseVariant Saturating(const std::vector<CaseVariant>& variants, const std::string& name,
                       float calibration_scale) {
  for (const CaseVariant& v : variants) {
    if (v.first == name) return Saturating(v, calibration_scale);
  }
  std::fprintf(stderr, "no agreement case variant '%s' to saturate\n", name.c_str());
  std::abort();
}

std::vector<AgreementCase> ConfigCases(const std::string& op,
                                       const std::vector<CaseVariant>& variants,
                                       std::mt19937& rng) {
  std::vector<AgreementCase> cases;
  for (const Config& config : kConfigs) {
    for (const CaseVariant& v : variants) {
      CaseContext ctx;
      ctx.rng = &rng;
      v.second(ctx);
      absl::StatusOr<std::unique_ptr<ir::Graph>> graph = ctx.b.Build(/*fold_constants=*/false);
      if (!graph.ok()) {
        std::fprintf(stderr, "agreement case '%s %s' does not build: %s\n", op.c_str(),
                     v.first.c_str(), std::string(graph.status().message()).c_str());
        std::abort();
      }
      AgreementCase c;
      c.name =
          absl::StrCat(op, " ", v.first, " (", config.march, " ", DTypeName(config.dtype), ")");
      c.graph = *std::move(graph);
      c.inputs = std::move(ctx.inputs);
      c.march = config.march;
      c.activation_dtype = config.dtype;
      if (ctx.calibration_scale != 1.f) {
        for (const Tensor& in : c.inputs) {
          Tensor t = in;
          if (t.dtype() == DType::kFloat32) {
            for (float& x : t.span<float>()) x *= ctx.calibration_scale;
          }
          c.calibration_inputs.push_back(std::move(t));
        }
      }
      c.fixed_ranges = ctx.fixed_ranges;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

void AppendCases(std::vector<AgreementCase>& cases, std::vector<AgreementCase> more) {
  for (AgreementCase& c : more) cases.push_back(std::move(c));
}

}  // namespace openbpu::quantization
