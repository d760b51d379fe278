#include "compiler/quantization/equalize.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace openbpu::quantization {
namespace {

bool IsGraphOutput(const ir::Graph& graph, const ir::Value* v) {
  for (const ir::Value* o : graph.outputs()) {
    if (o == v) return true;
  }
  return false;
}

// A float32 constant read by `node` alone.
bool OwnConstant(const ir::Graph& graph, const ir::Node& node, int input) {
  const ir::Value* v = node.input(input);
  return v != nullptr && v->is_constant() && v->type().dtype == DType::kFloat32 &&
         graph.Users(v).size() == 1 && !IsGraphOutput(graph, v);
}

// `v` has exactly one reader, `node`, and is not a graph output.
bool OnlyReader(const ir::Graph& graph, const ir::Value* v, const ir::Node* node) {
  const std::vector<ir::Node*> users = graph.Users(v);
  return users.size() == 1 && users[0] == node && !IsGraphOutput(graph, v);
}

}  // namespace

absl::StatusOr<int> EqualizeCrossLayer(ir::Graph& graph) {
  int pairs = 0;
  for (const auto& node_ptr : graph.nodes()) {
    ir::Node* conv1 = node_ptr.get();
    if (conv1->op() != "Conv" || conv1->num_outputs() != 1) continue;
    if (!OwnConstant(graph, *conv1, 1)) continue;
    const bool has_bias = conv1->num_inputs() > 2 && conv1->input(2) != nullptr;
    if (has_bias && !OwnConstant(graph, *conv1, 2)) continue;
    if (has_bias &&
        conv1->input(2)->constant().num_elements() != conv1->input(1)->constant().shape()[0]) {
      continue;
    }
    const std::vector<ir::Node*> relus = graph.Users(conv1->output(0));
    if (relus.size() != 1 || relus[0]->op() != "Relu") continue;
    ir::Node* relu = relus[0];
    if (!OnlyReader(graph, conv1->output(0), relu)) continue;
    const std::vector<ir::Node*> next = graph.Users(relu->output(0));
    if (next.size() != 1 || next[0]->op() != "Conv" || next[0]->input(0) != relu->output(0)) {
      continue;
    }
    ir::Node* conv2 = next[0];
    if (!OnlyReader(graph, relu->output(0), conv2) || !OwnConstant(graph, *conv2, 1)) continue;
    const Tensor& w1 = conv1->input(1)->constant();
    const Tensor& w2 = conv2->input(1)->constant();
    if (w1.shape().size() < 2 || w2.shape().size() < 2) continue;
    const int64_t channels = w1.shape()[0];
    const int64_t k1 = w1.num_elements() / channels;
    // Conv2's input channel c: W2[:, c] (one group), or W2[c] (depthwise: W2 [C, 1, ...]).
    const int64_t m2 = w2.shape()[0], per_group = w2.shape()[1];
    const bool depthwise = per_group == 1 && m2 == channels && channels > 1;
    if (!depthwise && per_group != channels) continue;
    const int64_t k2 = w2.num_elements() / (m2 * per_group);
    std::vector<double> r1(channels, 0.0), r2(channels, 0.0);
    const float* a = w1.data<float>();
    const float* b = w2.data<float>();
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t i = 0; i < k1; ++i) r1[c] = std::max<double>(r1[c], std::fabs(a[c * k1 + i]));
    }
    for (int64_t o = 0; o < m2; ++o) {
      for (int64_t c = 0; c < per_group; ++c) {
        const int64_t ch = depthwise ? o : c;
        for (int64_t i = 0; i < k2; ++i) {
          r2[ch] = std::max<double>(r2[ch], std::fabs(b[(o * per_group + c) * k2 + i]));
        }
      }
    }
    std::vector<float> s(channels, 1.0f);
    for (int64_t c = 0; c < channels; ++c) {
      if (r1[c] > 0 && r2[c] > 0) s[c] = static_cast<float>(std::sqrt(r1[c] / r2[c]));
    }
    Tensor nw1 = w1, nw2 = w2;
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t i = 0; i < k1; ++i) nw1.data<float>()[c * k1 + i] /= s[c];
    }
    for (int64_t o = 0; o < m2; ++o) {
      for (int64_t c = 0; c < per_group; ++c) {
        const int64_t ch = depthwise ? o : c;
        for (int64_t i = 0; i < k2; ++i) nw2.data<float>()[(o * per_group + c) * k2 + i] *= s[ch];
      }
    }
    conv1->input(1)->set_constant(std::move(nw1));
    conv2->input(1)->set_constant(std::move(nw2));
    if (has_bias) {
      Tensor nb = conv1->input(2)->constant();
      for (int64_t c = 0; c < channels; ++c) nb.data<float>()[c] /= s[c];
      conv1->input(2)->set_constant(std::move(nb));
    }
    ++pairs;
  }
  return pairs;
}

}  // namespace openbpu::quantization
