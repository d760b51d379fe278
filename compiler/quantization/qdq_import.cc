// Q/DQ pair removal with fixed-scale extraction.
#include "compiler/quantization/qdq_import.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "compiler/ir/node_error.h"
#include "compiler/ir/op_registry.h"
#include "compiler/quantization/quant_tensor.h"

namespace openbpu::quantization {
namespace {

using ir::NodeError;

// Scale, zero point and axis of a Q or DQ node whose data input has rank `rank`.
absl::StatusOr<FixedQuant> ReadParams(const ir::Node& node, int rank) {
  const ir::Value* s = node.input(1);
  const ir::Value* zp = node.input(2);
  if (s == nullptr || !s->is_constant() || s->type().dtype != DType::kFloat32) {
    return NodeError(absl::StatusCode::kUnimplemented, node,
                     "the scale must be a float32 constant");
  }
  FixedQuant f;
  f.scales = s->constant().ToFloatVector();
  if (f.scales.empty()) return NodeError(absl::StatusCode::kInvalidArgument, node, "empty scale");
  if (zp == nullptr) {
    return NodeError(absl::StatusCode::kInvalidArgument, node,
                     "no zero point: ONNX then means uint8, which the symmetric BPU does not have");
  }
  if (!zp->is_constant()) {
    return NodeError(absl::StatusCode::kUnimplemented, node, "the zero point must be a constant");
  }
  switch (zp->type().dtype) {
    case DType::kInt8:
      f.dtype = QDType::kQInt8;
      break;
    case DType::kInt16:
      f.dtype = QDType::kQInt16;
      break;
    case DType::kInt32:
      f.dtype = QDType::kQInt32;
      break;
    default:
      return NodeError(absl::StatusCode::kInvalidArgument, node,
                       absl::StrCat("zero point dtype ", DTypeName(zp->type().dtype),
                                    " is not symmetric int8/int16 (the BPU is symmetric)"));
  }
  for (int64_t v : zp->constant().ToInt64Vector()) {
    if (v != 0) {
      return NodeError(
          absl::StatusCode::kInvalidArgument, node,
          absl::StrCat("nonzero zero point ", v, ": the BPU supports symmetric quantization only"));
    }
  }
  if (f.scales.size() > 1 || s->type().shape.size() == 1) {
    if (f.scales.size() > 1) {
      int64_t axis = node.attrs().GetInt("axis", 1);
      if (axis < 0) axis += rank;
      f.axis = static_cast<int>(axis);
    }
  }
  return f;
}

bool SameScales(const FixedQuant& a, const FixedQuant& b) {
  return a.dtype == b.dtype && a.scales == b.scales && a.axis == b.axis;
}

}  // namespace

absl::StatusOr<std::map<std::string, FixedQuant>> StripQdq(ir::Graph& graph) {
  std::map<std::string, FixedQuant> fixed;
  std::vector<ir::Node*> dqs;
  for (const auto& n : graph.nodes()) {
    if (n->op() == "DequantizeLinear") dqs.push_back(n.get());
  }
  auto record = [&](const ir::Node& node, const std::string& name,
                    const FixedQuant& f) -> absl::Status {
    auto [it, inserted] = fixed.emplace(name, f);
    if (!inserted && !SameScales(it->second, f)) {
      return NodeError(absl::StatusCode::kInvalidArgument, node,
                       absl::StrCat("value '", name, "' already has another fixed scale"));
    }
    return absl::OkStatus();
  };
  for (ir::Node* dq : dqs) {
    ir::Value* q = dq->input(0);
    ir::Value* y = dq->output(0);
    const int rank = static_cast<int>(q->type().shape.size());
    OPENBPU_ASSIGN_OR_RETURN(const FixedQuant fd, ReadParams(*dq, rank));
    ir::Node* qn = q->producer();
    if (qn != nullptr && qn->op() == "QuantizeLinear") {
      OPENBPU_ASSIGN_OR_RETURN(const FixedQuant fq, ReadParams(*qn, rank));
      if (!SameScales(fq, fd)) {
        return NodeError(
            absl::StatusCode::kInvalidArgument, *dq,
            absl::StrCat("scale or zero point differs from its QuantizeLinear '", qn->name(), "'"));
      }
      if (fd.dtype == QDType::kQInt32) {
        return NodeError(absl::StatusCode::kInvalidArgument, *qn, "int32 QuantizeLinear");
      }
      ir::Value* x = qn->input(0);
      OPENBPU_RETURN_IF_ERROR(record(*dq, x->name(), fd));
      bool is_output = false;
      for (const ir::Value* o : graph.outputs()) is_output = is_output || o == y;
      for (ir::Node* user : graph.Users(y)) {
        for (int i = 0; i < user->num_inputs(); ++i) {
          if (user->input(i) == y) user->set_input(i, x);
        }
      }
      graph.RemoveNode(dq);
      if (is_output) {
        OPENBPU_RETURN_IF_ERROR(
            graph
                .AddNode(graph.UniqueNodeName(absl::StrCat(y->name(), "_identity")), "Identity",
                         {x}, {y})
                .status());
      }
      if (graph.Users(q).empty()) graph.RemoveNode(qn);
    } else if (q->is_constant()) {
      if (fd.dtype == QDType::kQInt8 || fd.dtype == QDType::kQInt16) {
        if (q->type().dtype != StorageDType(fd.dtype)) {
          return NodeError(absl::StatusCode::kInvalidArgument, *dq, "input/zero point dtypes");
        }
      }
      ir::QuantInfo info;
      info.storage = q->type().dtype;
      info.scales = fd.scales;
      info.axis = fd.axis;
      absl::StatusOr<Tensor> real = DequantizeTensor(q->constant(), info);
      if (!real.ok()) {
        return NodeError(absl::StatusCode::kInvalidArgument, *dq, real.status().message());
      }
      if (fd.dtype != QDType::kQInt32) OPENBPU_RETURN_IF_ERROR(record(*dq, y->name(), fd));
      graph.RemoveNode(dq);
      y->set_constant(*std::move(real));
    } else {
      return NodeError(absl::StatusCode::kUnimplemented, *dq,
                       "a DequantizeLinear must follow a QuantizeLinear or read a constant");
    }
  }
  for (const auto& n : graph.nodes()) {
    if (n->op() == "QuantizeLinear") {
      return NodeError(absl::StatusCode::kUnimplemented, *n,
                       "a QuantizeLinear without a following DequantizeLinear");
    }
  }
  graph.RemoveDeadValues();
  return fixed;
}

absl::StatusOr<QdqImport> ImportQdqOnnx(absl::string_view model_bytes,
                                        const frontend::OnnxImportOptions& options) {
  frontend::OnnxImportOptions no_fold = options;
  no_fold.fold_constants = false;
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = frontend::ImportOnnx(model_bytes, no_fold);
  if (!graph.ok()) {
    // Some models only become static through folding (computed Reshape shapes...). Then constant
    // Q/DQ pairs fold into fake-quantized constants (their scales are re-derived by the weight
    // observer); activation pairs survive folding and still become fixed scales.
    graph = frontend::ImportOnnx(model_bytes, options);
    if (!graph.ok()) return graph.status();
  }
  OPENBPU_ASSIGN_OR_RETURN(auto fixed, StripQdq(**graph));
  ir::ShapeInferenceOptions inference;
  inference.fold_constants = options.fold_constants;
  OPENBPU_RETURN_IF_ERROR(ir::InferShapes(**graph, inference));
  return QdqImport{*std::move(graph), std::move(fixed)};
}

absl::StatusOr<QdqImport> ImportQdqOnnxFile(const std::string& path,
                                            const frontend::OnnxImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ImportQdqOnnx(ss.str(), options);
}

}  // namespace openbpu::quantization
