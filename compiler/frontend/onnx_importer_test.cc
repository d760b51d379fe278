// Importer behaviour on well-formed and hostile models built in C++.
#include "compiler/frontend/onnx_importer.h"

#include <random>

#include "compiler/reference/float_interpreter.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"

namespace openbpu::frontend {
namespace {

void AddInput(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
              int elem_type = onnx::TensorProto::FLOAT) {
  onnx::ValueInfoProto* v = g->add_input();
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op, std::vector<std::string> ins,
                         std::vector<std::string> outs, const std::string& name = "") {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

void AddInitializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                    std::vector<float> values) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

onnx::ModelProto BaseModel(int opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(opset);
  m.mutable_graph()->set_name("m");
  return m;
}

// x[2] + b -> relu -> y
onnx::ModelProto AddReluModel() {
  onnx::ModelProto m = BaseModel();
  onnx::GraphProto* g = m.mutable_graph();
  AddInput(g, "x", {2});
  AddInitializer(g, "b", {2}, {1.f, -5.f});
  AddNode(g, "Add", {"x", "b"}, {"s"}, "add");
  AddNode(g, "Relu", {"s"}, {"y"}, "relu");
  g->add_output()->set_name("y");
  return m;
}

absl::StatusOr<std::unique_ptr<ir::Graph>> Import(const onnx::ModelProto& m) {
  return ImportOnnx(m.SerializeAsString());
}

TEST(OnnxImporterTest, ImportsAndRuns) {
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = Import(AddReluModel());
  ASSERT_TRUE(g.ok()) << g.status();
  absl::StatusOr<std::vector<Tensor>> out =
      reference::RunFloat(**g, {Tensor::FromVector<float>({2}, {2.f, 3.f})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].ToFloatVector(), (std::vector<float>{3.f, 0.f}));
}

TEST(OnnxImporterTest, RejectsNonOnnxAndTruncatedFiles) {
  EXPECT_EQ(ImportOnnx("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImportOnnx("this is not a protobuf \xff\xff\xff").status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string bytes = AddReluModel().SerializeAsString();
  // Every prefix either fails cleanly or (rarely, when the cut falls between
  // fields) parses into a smaller model that still imports or fails cleanly.
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = ImportOnnx(bytes.substr(0, n));
    if (g.ok()) {
      EXPECT_TRUE((*g)->Verify().ok());
    }
  }
  EXPECT_EQ(ImportOnnxFile("/nonexistent/model.onnx").status().code(), absl::StatusCode::kNotFound);
}

// Random byte flips of a valid model: every result is a clean error or a graph
// that verifies; nothing crashes (run under --config=asan too).
TEST(OnnxImporterTest, SurvivesRandomCorruption) {
  const std::string bytes = AddReluModel().SerializeAsString();
  std::mt19937 rng(1234);
  int errors = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string mutated = bytes;
    const int flips = 1 + trial % 4;
    for (int k = 0; k < flips; ++k) {
      mutated[rng() % mutated.size()] = static_cast<char>(rng() & 0xff);
    }
    absl::StatusOr<std::unique_ptr<ir::Graph>> g = ImportOnnx(mutated);
    if (!g.ok()) {
      ++errors;
      EXPECT_FALSE(g.status().message().empty());
      continue;
    }
    EXPECT_TRUE((*g)->Verify().ok());
  }
  EXPECT_GT(errors, 0);
}

TEST(OnnxImporterTest, RejectsCycles) {
  onnx::ModelProto m = BaseModel();
  onnx::GraphProto* g = m.mutable_graph();
  AddInput(g, "x", {2});
  AddNode(g, "Add", {"x", "b"}, {"a"}, "first");
  AddNode(g, "Relu", {"a"}, {"b"}, "second");
  g->add_output()->set_name("b");
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cycle"), std::string::npos) << s;
}

TEST(OnnxImporterTest, RejectsMissingInitializer) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->clear_initializer();
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'b'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("node 'add'"), std::string::npos) << s;
}

TEST(OnnxImporterTest, RejectsShapeMismatchNamingNode) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->mutable_initializer(0)->add_float_data(7.f);
  m.mutable_graph()->mutable_initializer(0)->set_dims(0, 3);
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("node 'add'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("broadcast"), std::string::npos) << s;
}

TEST(OnnxImporterTest, RejectsInitializerWithWrongDataSize) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->mutable_initializer(0)->add_float_data(7.f);
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'b'"), std::string::npos) << s;
}

TEST(OnnxImporterTest, UnknownOpIsUnimplementedNamingNode) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->mutable_node(1)->set_op_type("FancyOp");
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("node 'relu' (FancyOp)"), std::string::npos) << s;
}

TEST(OnnxImporterTest, UnknownAttributeIsUnimplementedNamingAttribute) {
  onnx::ModelProto m = AddReluModel();
  onnx::AttributeProto* a = m.mutable_graph()->mutable_node(1)->add_attribute();
  a->set_name("mystery");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(3);
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("'mystery'"), std::string::npos) << s;
  EXPECT_NE(s.message().find("node 'relu'"), std::string::npos) << s;
}

TEST(OnnxImporterTest, RejectsForeignDomainsAndNewOpsets) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->mutable_node(1)->set_domain("com.microsoft");
  EXPECT_EQ(Import(m).status().code(), absl::StatusCode::kUnimplemented);
  onnx::ModelProto n = AddReluModel();
  n.mutable_opset_import(0)->set_version(99);
  EXPECT_EQ(Import(n).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(OnnxImporterTest, RejectsUndefinedGraphOutputAndDuplicateDefinitions) {
  onnx::ModelProto m = AddReluModel();
  m.mutable_graph()->mutable_output(0)->set_name("nowhere");
  EXPECT_EQ(Import(m).status().code(), absl::StatusCode::kInvalidArgument);
  onnx::ModelProto d = AddReluModel();
  d.mutable_graph()->mutable_node(1)->set_output(0, "s");
  EXPECT_EQ(Import(d).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(OnnxImporterTest, RejectsDeclaredOutputShapeMismatch) {
  onnx::ModelProto m = AddReluModel();
  auto* tt = m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(5);
  absl::Status s = Import(m).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'y'"), std::string::npos) << s;
}

TEST(OnnxImporterTest, ExternalDataIsUnimplemented) {
  onnx::ModelProto m = AddReluModel();
  onnx::TensorProto* t = m.mutable_graph()->mutable_initializer(0);
  t->clear_float_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  EXPECT_EQ(Import(m).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(OnnxImporterTest, FoldsConstantSubgraphsAndBindsConstants) {
  // y = x + (c1 + c2): the constant sum folds away, leaving one Add node.
  onnx::ModelProto m = BaseModel();
  onnx::GraphProto* g = m.mutable_graph();
  AddInput(g, "x", {2});
  AddInitializer(g, "c1", {2}, {1.f, 2.f});
  AddInitializer(g, "c2", {2}, {10.f, 20.f});
  AddNode(g, "Add", {"c1", "c2"}, {"c"});
  AddNode(g, "Add", {"x", "c"}, {"y"});
  g->add_output()->set_name("y");
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = Import(m);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ((*graph)->nodes().size(), 1u);
  ASSERT_TRUE((*graph)->FindValue("c")->is_constant());
  EXPECT_EQ((*graph)->FindValue("c")->constant().ToFloatVector(), (std::vector<float>{11.f, 22.f}));

  OnnxImportOptions options;
  options.bind_constants["x"] = Tensor::FromVector<float>({2}, {100.f, 200.f});
  absl::StatusOr<std::unique_ptr<ir::Graph>> bound = ImportOnnx(m.SerializeAsString(), options);
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_TRUE((*bound)->inputs().empty());
  EXPECT_TRUE((*bound)->nodes().empty());
  EXPECT_EQ((*bound)->outputs()[0]->constant().ToFloatVector(), (std::vector<float>{111.f, 222.f}));
}

TEST(OnnxImporterTest, SymbolicDimensionsDefaultToOneOrOverride) {
  onnx::ModelProto m = AddReluModel();
  auto* shape =
      m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->clear_dim();
  shape->add_dim()->set_dim_param("batch");
  shape->add_dim()->set_dim_value(2);
  absl::StatusOr<std::unique_ptr<ir::Graph>> g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->inputs()[0]->type().shape, (Shape{1, 2}));
  OnnxImportOptions options;
  options.input_shapes["x"] = {4, 2};
  g = ImportOnnx(m.SerializeAsString(), options);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->outputs()[0]->type().shape, (Shape{4, 2}));
}

TEST(OnnxImporterTest, ConstantNodesBecomeConstants) {
  onnx::ModelProto m = BaseModel();
  onnx::GraphProto* g = m.mutable_graph();
  AddInput(g, "x", {2});
  onnx::NodeProto* c = AddNode(g, "Constant", {}, {"k"});
  onnx::AttributeProto* a = c->add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(0.5f);
  a->add_floats(-0.5f);
  AddNode(g, "Add", {"x", "k"}, {"y"});
  g->add_output()->set_name("y");
  absl::StatusOr<std::unique_ptr<ir::Graph>> graph = Import(m);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_TRUE((*graph)->FindValue("k")->is_constant());
  // A Constant with an unsupported payload is UNIMPLEMENTED.
  a->set_name("value_string");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("hello");
  a->clear_floats();
  EXPECT_EQ(Import(m).status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace openbpu::frontend
