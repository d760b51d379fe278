// LeakyRelu: x for x >= 0, alpha * x below (alpha defaults to 0.01).
#include "compiler/ops/op_util.h"

namespace openbpu::ops {
namespace {

OPENBPU_REGISTER_OP(LeakyRelu,
                    UnaryFloatSchemaBound("LeakyRelu", {{"alpha", ir::AttrKind::kFloat}},
                                          [](const ir::Node& node) -> std::function<float(float)> {
                                            const float alpha =
                                                node.attrs().GetFloat("alpha", 0.01f);
                                            return [alpha](float x) {
                                              return x >= 0.f ? x : alpha * x;
                                            };
                                          }));

}  // namespace
}  // namespace openbpu::ops
