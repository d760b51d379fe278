// HardSigmoid: max(0, min(1, alpha * x + beta)), alpha 0.2 and beta 0.5 by default.
#include <algorithm>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(HardSigmoid,
                    UnaryFloatSchemaBound("HardSigmoid",
                                          {{"alpha", ir::AttrKind::kFloat},
                                           {"beta", ir::AttrKind::kFloat}},
                                          [](const ir::Node& node) -> std::function<float(float)> {
                                            const float alpha =
                                                node.attrs().GetFloat("alpha", 0.2f);
                                            const float beta = node.attrs().GetFloat("beta", 0.5f);
                                            return [alpha, beta](float x) {
                                              return std::max(0.f, std::min(1.f, alpha * x + beta));
                                            };
                                          }));

}  // namespace
}  // namespace openbpu::ops
