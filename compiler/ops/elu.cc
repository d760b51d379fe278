// Elu: x for x > 0, alpha * (e^x - 1) below (alpha defaults to 1).
#include <cmath>

#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(Elu,
                    UnaryFloatSchemaBound("Elu", {{"alpha", ir::AttrKind::kFloat}},
                                          [](const ir::Node& node) -> std::function<float(float)> {
                                            const float alpha = node.attrs().GetFloat("alpha", 1.f);
                                            // expm1 keeps precision for small negative x.
                                            return [alpha](float x) {
                                              return x > 0.f ? x : alpha * std::expm1(x);
                                            };
                                          }));

}  // namespace
}  // namespace openbpu::ops
