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
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

}  // namespace openbpu::quantization
