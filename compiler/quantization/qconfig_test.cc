// Tests for qconfig defaults, per-node validation, weight channel axes and qconfig-map priority.
#include "compiler/quantization/qconfig.h"

#include <string>

#include "compiler/ir/graph.h"
#include "gtest/gtest.h"

namespace openbpu::quantization {
namespace {

// A graph holding one node of each kind the tests need; nodes are looked up by name.
class Nodes {
 public:
  Nodes() {
    ir::Value* x = *graph_.AddValue("x");
    graph_.AddInput(x);
    Add("conv", "Conv", {x, Weight({8, 3, 3, 3})});
    Add("fconv", "FusedConv", {x, Weight({8, 3, 3, 3})});
    Add("deconv", "ConvTranspose", {x, Weight({3, 8, 2, 2})});
    Add("gemm", "Gemm", {x, Weight({4, 8})});
    ir::AttributeMap trans;
    trans.Set("transB", int64_t{1});
    Add("gemm_t", "Gemm", {x, Weight({8, 4})}, trans);
    Add("linear", "FusedLinear", {x, Weight({8, 4})});
    Add("matmul", "MatMul", {x, Weight({4, 8})});
    Add("matmul3", "MatMul", {x, Weight({2, 4, 8})});
    Add("matmul_dyn", "MatMul", {x, x});
    Add("relu", "Relu", {x});
    Add("relu2", "Relu", {x});
  }
  const ir::Node& operator[](const std::string& name) const { return *graph_.FindNode(name); }

 private:
  ir::Value* Weight(Shape shape) {
    return *graph_.AddConstant(graph_.UniqueValueName("w"), Tensor(DType::kFloat32, shape));
  }
  void Add(const std::string& name, const std::string& op, std::vector<ir::Value*> inputs,
           ir::AttributeMap attrs = {}) {
    ir::Value* out = *graph_.AddValue(name + "_out");
    ASSERT_TRUE(graph_.AddNode(name, op, std::move(inputs), {out}, std::move(attrs)).ok());
  }
  ir::Graph graph_;
};

TEST(QConfigTest, DTypeNamesAndRanges) {
  EXPECT_EQ(*ParseQDType("qint8"), QDType::kQInt8);
  EXPECT_EQ(*ParseQDType("qint16"), QDType::kQInt16);
  EXPECT_EQ(*ParseQDType("qint32"), QDType::kQInt32);
  EXPECT_EQ(ParseQDType("quint8").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QDTypeName(QDType::kQInt16), "qint16");
  EXPECT_EQ(QMin(QDType::kQInt8), -128);
  EXPECT_EQ(QMax(QDType::kQInt8), 127);
  EXPECT_EQ(QMin(QDType::kQInt16), -32768);
  EXPECT_EQ(QMax(QDType::kQInt16), 32767);
  EXPECT_EQ(QMin(QDType::kQInt32), -2147483648LL);
  EXPECT_EQ(QMax(QDType::kQInt32), 2147483647LL);
  EXPECT_EQ(StorageDType(QDType::kQInt16), DType::kInt16);
  EXPECT_EQ(*ParseFakeQuantKind("lsq"), FakeQuantKind::kLsq);
  EXPECT_FALSE(ParseFakeQuantKind("tqt").ok());
}

TEST(QConfigTest, DefaultQatQConfig) {
  absl::StatusOr<QConfig> q = GetDefaultQatQConfig();
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->activation.kind, FakeQuantKind::kFakeQuant);
  EXPECT_EQ(q->activation.dtype, QDType::kQInt8);
  EXPECT_EQ(q->activation.observer.kind, ObserverKind::kMovingAverageMinMax);
  EXPECT_EQ(q->activation.observer.averaging_constant, 0.01);
  EXPECT_EQ(q->activation.rounding, Rounding::kHalfToEven);
  EXPECT_TRUE(q->activation.saturate);
  ASSERT_TRUE(q->weight.has_value());
  EXPECT_EQ(q->weight->dtype, QDType::kQInt8);
  EXPECT_EQ(q->weight->observer.kind, ObserverKind::kMovingAveragePerChannelMinMax);
  EXPECT_FALSE(q->weight->observer.ch_axis.has_value());  // the node's WeightChannelAxis

  QKwargs act;
  act.observer = ObserverConfig::KL(1024);
  act.rounding = Rounding::kBpuRound;
  QKwargs w;
  w.saturate = false;
  q = GetDefaultQatQConfig(QDType::kQInt16, QDType::kQInt8, FakeQuantKind::kPact,
                           FakeQuantKind::kPact, act, w);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->activation.dtype, QDType::kQInt16);
  EXPECT_EQ(q->activation.kind, FakeQuantKind::kPact);
  EXPECT_EQ(q->activation.observer.kind, ObserverKind::kKL);
  EXPECT_EQ(q->activation.observer.bins, 1024);
  EXPECT_EQ(q->activation.rounding, Rounding::kBpuRound);
  EXPECT_EQ(q->weight->kind, FakeQuantKind::kLsq);  // the vendor's pact weights are LSQ
  EXPECT_FALSE(q->weight->saturate);

  EXPECT_EQ(GetDefaultQatQConfig(QDType::kQInt32).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetDefaultQatQConfig(QDType::kQInt8, QDType::kQInt32).status().code(),
            absl::StatusCode::kInvalidArgument);
  // qint16 weights are representable here and rejected per node (ValidateQConfig).
  EXPECT_TRUE(GetDefaultQatQConfig(QDType::kQInt8, QDType::kQInt16).ok());
}

TEST(QConfigTest, DefaultCalibAndOutQConfigs) {
  absl::StatusOr<QConfig> calib = GetDefaultCalibQConfig(QDType::kQInt16);
  ASSERT_TRUE(calib.ok()) << calib.status();
  EXPECT_EQ(calib->activation.dtype, QDType::kQInt16);
  EXPECT_EQ(calib->activation.observer.kind, ObserverKind::kPercentile);
  EXPECT_EQ(calib->activation.observer.percentile, 99.99);
  EXPECT_EQ(calib->activation.observer.bins, 2048);
  ASSERT_TRUE(calib->weight.has_value());
  EXPECT_EQ(calib->weight->dtype, QDType::kQInt8);
  EXPECT_EQ(calib->weight->observer.kind, ObserverKind::kMovingAveragePerChannelMinMax);
  QKwargs kwargs;
  kwargs.observer = ObserverConfig::MSE();
  calib = GetDefaultCalibQConfig(QDType::kQInt8, kwargs);
  ASSERT_TRUE(calib.ok());
  EXPECT_EQ(calib->activation.observer.kind, ObserverKind::kMSE);
  EXPECT_FALSE(GetDefaultCalibQConfig(QDType::kQInt32).ok());

  absl::StatusOr<QConfig> out = GetDefaultQatOutQConfig();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->activation.dtype, QDType::kQInt32);
  ASSERT_TRUE(out->weight.has_value());
  EXPECT_EQ(out->weight->dtype, QDType::kQInt8);
  EXPECT_EQ(GetDefaultQatOutQConfig(QDType::kQInt16, FakeQuantKind::kLsq)->weight->kind,
            FakeQuantKind::kLsq);
  EXPECT_FALSE(GetDefaultQatOutQConfig(QDType::kQInt32).ok());
}

TEST(QConfigTest, ValidateQConfigNamesTheNode) {
  Nodes nodes;
  QConfig q = *GetDefaultQatQConfig(QDType::kQInt8, QDType::kQInt16);
  absl::Status s = ValidateQConfig(nodes["conv"], q);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("node 'conv' (Conv)"), std::string::npos) << s;
  EXPECT_NE(s.message().find("qint16"), std::string::npos) << s;

  EXPECT_TRUE(ValidateQConfig(nodes["conv"], *GetDefaultQatQConfig()).ok());
  EXPECT_TRUE(ValidateQConfig(nodes["relu"], *GetDefaultQatQConfig(QDType::kQInt16)).ok());

  QConfig out = *GetDefaultQatOutQConfig();
  EXPECT_TRUE(ValidateQConfig(nodes["linear"], out).ok());
  s = ValidateQConfig(nodes["relu"], out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("node 'relu'"), std::string::npos) << s;

  QConfig bad = *GetDefaultQatQConfig();
  bad.activation.observer = ObserverConfig::Percentile(120.0);
  s = ValidateQConfig(nodes["relu"], bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("percentile"), std::string::npos) << s;
  bad = *GetDefaultQatQConfig();
  bad.weight->observer = ObserverConfig::KL(1000);  // not a power of two
  EXPECT_FALSE(ValidateQConfig(nodes["conv"], bad).ok());
  bad = *GetDefaultQatQConfig();
  bad.weight->kind = FakeQuantKind::kPact;
  EXPECT_FALSE(ValidateQConfig(nodes["conv"], bad).ok());
}

TEST(QConfigTest, ObserverConfigValidation) {
  EXPECT_TRUE(ValidateObserverConfig(ObserverConfig::MinMax()).ok());
  EXPECT_TRUE(ValidateObserverConfig(ObserverConfig::MovingAverageMinMax(1.0)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::MovingAverageMinMax(1.5)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::MovingAveragePerChannelMinMax(0, -0.1)).ok());
  EXPECT_TRUE(ValidateObserverConfig(ObserverConfig::Percentile(100.0, 8)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::Percentile(0.0)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::MSE(0)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::FixedScale(0.0f)).ok());
  EXPECT_FALSE(ValidateObserverConfig(ObserverConfig::FixedScale(INFINITY)).ok());
  EXPECT_EQ(ObserverKindName(ObserverKind::kMovingAveragePerChannelMinMax),
            "MovingAveragePerChannelMinMaxObserver");
}

TEST(QConfigTest, WeightChannelAxis) {
  Nodes nodes;
  EXPECT_EQ(*WeightChannelAxis(nodes["conv"]), 0);
  EXPECT_EQ(*WeightChannelAxis(nodes["fconv"]), 0);
  EXPECT_EQ(*WeightChannelAxis(nodes["deconv"]), 1);
  EXPECT_EQ(*WeightChannelAxis(nodes["gemm"]), 1);
  EXPECT_EQ(*WeightChannelAxis(nodes["gemm_t"]), 0);
  EXPECT_EQ(*WeightChannelAxis(nodes["linear"]), 0);
  EXPECT_EQ(*WeightChannelAxis(nodes["matmul"]), 1);
  EXPECT_EQ(*WeightChannelAxis(nodes["matmul3"]), 2);
  absl::StatusOr<int> dyn = WeightChannelAxis(nodes["matmul_dyn"]);
  EXPECT_EQ(dyn.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dyn.status().message().find("matmul_dyn"), std::string::npos);
  EXPECT_EQ(WeightChannelAxis(nodes["relu"]).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(QConfigTest, MapPriorityGlobalOpTypeNameOverride) {
  Nodes nodes;
  QConfig q8 = *GetDefaultQatQConfig();
  QConfig q16 = *GetDefaultQatQConfig(QDType::kQInt16);
  QConfig calib = *GetDefaultCalibQConfig();
  QConfig out = *GetDefaultQatOutQConfig();
  auto dtype_of = [](const std::optional<QConfig>& q) { return q->activation.dtype; };

  QConfigMap map;
  EXPECT_FALSE(map.Resolve(nodes["conv"]).has_value());  // no rule: float

  map.SetGlobal(q8);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["relu"])), QDType::kQInt8);

  map.SetOpType("Relu", q16);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["relu"])), QDType::kQInt16);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["relu2"])), QDType::kQInt16);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["conv"])), QDType::kQInt8);

  map.SetNodeName("relu", calib);
  EXPECT_EQ(map.Resolve(nodes["relu"])->activation.observer.kind, ObserverKind::kPercentile);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["relu2"])), QDType::kQInt16);

  map.SetNodeOverride("relu", out);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["relu"])), QDType::kQInt32);

  // Explicit nulls: each level can leave a node in float, and a higher level can re-enable it.
  map.SetOpType("Conv", std::nullopt);
  EXPECT_FALSE(map.Resolve(nodes["conv"]).has_value());
  EXPECT_EQ(dtype_of(map.Resolve(nodes["fconv"])), QDType::kQInt8);
  map.SetNodeName("conv", q16);
  EXPECT_EQ(dtype_of(map.Resolve(nodes["conv"])), QDType::kQInt16);
  map.SetNodeOverride("conv", std::nullopt);
  EXPECT_FALSE(map.Resolve(nodes["conv"]).has_value());
  map.SetNodeName("relu2", std::nullopt);
  EXPECT_FALSE(map.Resolve(nodes["relu2"]).has_value());

  QConfigMap float_default;
  float_default.SetGlobal(std::nullopt);
  float_default.SetOpType("Conv", q8);
  EXPECT_FALSE(float_default.Resolve(nodes["relu"]).has_value());
  EXPECT_TRUE(float_default.Resolve(nodes["conv"]).has_value());
}

}  // namespace
}  // namespace openbpu::quantization
