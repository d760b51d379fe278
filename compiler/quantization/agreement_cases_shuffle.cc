// Agreement cases of the ops the march rewrites make (compiler/passes/march_rewrites.h).
#include <random>
#include <vector>

#include "compiler/frontend/graph_builder.h"
#include "compiler/quantization/agreement_case.h"
#include "compiler/quantization/agreement_case_util.h"

namespace openbpu::quantization {
namespace {

using frontend::Attrs;

// ShuffleNet's channel shuffle as one op (march rewrites, bernoulli2), 4-D and 3-D.
OPENBPU_REGISTER_AGREEMENT_CASES(ChannelShuffle, "ChannelShuffle", [](std::mt19937& rng) {
  std::vector<CaseVariant> v;
  v.push_back(
      {"group 2", [](CaseContext& c) {
         c.Out(c.b.Op("ChannelShuffle", {c.U({1, 8, 3, 5})}, Attrs({{"group", int64_t{2}}})));
       }});
  v.push_back({"group 3 rank 3", [](CaseContext& c) {
                 c.Out(c.b.Op("ChannelShuffle", {c.U({2, 12, 7})}, Attrs({{"group", int64_t{3}}})));
               }});
  return ConfigCases("ChannelShuffle", v, rng);
});

}  // namespace
}  // namespace openbpu::quantization
