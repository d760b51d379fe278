// Tests of the .hbm container: CRC-32, round trip, deterministic bytes, one named case per check
// of ReadHbm (README.md, "Validation"), truncation at every length and every single-bit flip
// rejected without crashing, and Pack.
#include "hbm/hbm.h"

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "hbm/crc32.h"
#include "isa/program.h"

namespace openbpu::hbm {
namespace {

using ::testing::HasSubstr;

isa::Instruction Make(isa::Payload payload, uint16_t layer = isa::kNoLayer) {
  isa::Instruction inst;
  inst.payload = std::move(payload);
  inst.common.layer = layer;
  return inst;
}

// A tiny program: shape, load of the input, end; 64 input bytes, 32 output bytes.
isa::Program SmallProgram(isa::MarchId march = isa::MarchId::kBayes) {
  isa::Program p;
  p.march = march;
  p.ddr_input_bytes = 64;
  p.ddr_output_bytes = 32;
  p.ddr_scratch_bytes = 128;
  p.layers = {{0, "conv"}};
  p.instructions = {Make(isa::LoadShape{}, 0),
                    Make(isa::Load{isa::Space::kFeature, 0, isa::Region::kInput, 0}, 0),
                    Make(isa::End{})};
  p.params = {1, 2, 3, 4};
  return p;
}

std::string ProgramBytes(const isa::Program& program) {
  absl::StatusOr<std::vector<uint8_t>> bytes = isa::SerializeProgram(program);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

Model SmallModel(const std::string& name, isa::MarchId march = isa::MarchId::kBayes) {
  Model m;
  m.set_name(name);
  TensorDesc* x = m.add_inputs();
  x->set_name("x");
  x->set_dtype(TensorDesc::INT8);
  for (int64_t d : {1, 4, 4, 3}) x->add_valid_shape(d);
  for (int64_t d : {1, 4, 4, 4}) x->add_aligned_shape(d);
  x->set_layout(TensorDesc::NHWC);
  x->set_quant_type(TensorDesc::SCALE);
  x->add_scales(0.5f);
  x->set_source("ddr");
  x->set_ddr_offset(0);
  x->set_ddr_bytes(64);
  TensorDesc* y = m.add_outputs();
  y->set_name("y");
  y->set_dtype(TensorDesc::INT32);
  for (int64_t d : {1, 2}) y->add_valid_shape(d);
  for (int64_t d : {1, 8}) y->add_aligned_shape(d);
  y->set_layout(TensorDesc::BPU_RAW);
  y->set_quant_type(TensorDesc::SCALE);
  y->add_scales(0.25f);
  y->add_scales(0.125f);
  y->set_quant_axis(1);
  y->set_source("ddr");
  y->set_ddr_bytes(32);
  m.set_program(ProgramBytes(SmallProgram(march)));
  Layer* layer = m.add_layers();
  layer->set_name("conv");
  layer->set_first_instruction(0);
  layer->set_last_instruction(2);
  layer->add_ops("Conv");
  layer->add_ops("Relu");
  MemoryPlan* plan = m.mutable_memory_plan();
  plan->set_input_bytes(64);
  plan->set_output_bytes(32);
  plan->set_scratch_bytes(128);
  plan->set_scratch_peak_bytes(64);
  Buffer* b = plan->add_buffers();
  b->set_name("x");
  b->set_region("input");
  b->set_bytes(64);
  return m;
}

Payload SmallPayload(const std::string& model = "m", const std::string& march = "bayes") {
  Payload p;
  Header* h = p.mutable_header();
  h->set_magic("OBHM");
  h->set_format_version(1);
  h->set_toolkit_version("0.1.0");
  h->set_march(march);
  (*h->mutable_compile_options())["opt"] = "O2";
  (*h->mutable_compile_options())["batch"] = "1";
  (*h->mutable_compile_options())["input_layout"] = "NHWC";
  isa::MarchId id = march == "bernoulli2" ? isa::MarchId::kBernoulli2 : isa::MarchId::kBayes;
  *p.add_models() = SmallModel(model, id);
  return p;
}

// Frames serialized bytes as a file (prefix, payload, CRC) without WriteHbm's validation.
std::vector<uint8_t> Frame(const std::string& payload, uint32_t version = kHbmFormatVersion) {
  std::vector<uint8_t> out = {'O', 'B', 'H', 'M'};
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(version >> (8 * i)));
  out.insert(out.end(), payload.begin(), payload.end());
  const uint32_t crc = Crc32(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  return out;
}

std::vector<uint8_t> Write(const Payload& p) {
  absl::StatusOr<std::vector<uint8_t>> bytes = WriteHbm(p);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

void ExpectReadError(const std::vector<uint8_t>& bytes, absl::string_view message) {
  absl::StatusOr<Payload> p = ReadHbm(bytes);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr(std::string(message)));
}

TEST(Crc32, KnownVector) {
  const std::string s = "123456789";
  EXPECT_EQ(Crc32(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size())),
            0xCBF43926u);
  EXPECT_EQ(Crc32({}), 0u);
  // Running form: crc of a split input equals crc of the whole.
  const auto* d = reinterpret_cast<const uint8_t*>(s.data());
  EXPECT_EQ(Crc32(absl::MakeConstSpan(d + 4, 5), Crc32(absl::MakeConstSpan(d, 4))), 0xCBF43926u);
}

TEST(Hbm, RoundTrip) {
  const Payload p = SmallPayload();
  const std::vector<uint8_t> bytes = Write(p);
  ASSERT_GT(bytes.size(), 12u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), std::string("OBHM\x01\0\0\0", 8));
  absl::StatusOr<Payload> q = ReadHbm(bytes);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*q, p));
  absl::StatusOr<isa::Program> program = isa::ParseProgram(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(q->models(0).program().data()),
                          q->models(0).program().size()));
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(*program, SmallProgram());
}

// Bool and int64 outputs (comparisons, ArgMax / TopK indices) are unquantized: quant type NONE.
TEST(Hbm, BoolAndInt64OutputsRoundTrip) {
  for (TensorDesc::DType dtype : {TensorDesc::BOOL, TensorDesc::INT64}) {
    Payload p = SmallPayload();
    TensorDesc* y = p.mutable_models(0)->mutable_outputs(0);
    y->set_dtype(dtype);
    y->set_aligned_shape(1, 4);  // 4 x 8 = 32 bytes of INT64
    y->set_layout(TensorDesc::NHWC);
    y->set_quant_type(TensorDesc::NONE);
    y->clear_scales();
    y->set_quant_axis(0);
    absl::StatusOr<Payload> q = ReadHbm(Write(p));
    ASSERT_TRUE(q.ok()) << TensorDesc::DType_Name(dtype) << ": " << q.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*q, p));
  }
}

TEST(Hbm, ByteIdenticalReserialization) {
  const std::vector<uint8_t> bytes = Write(SmallPayload());
  absl::StatusOr<Payload> q = ReadHbm(bytes);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(Write(*q), bytes);
  // Map insertion order does not matter: the options are written sorted.
  Payload other = SmallPayload();
  auto* options = other.mutable_header()->mutable_compile_options();
  options->clear();
  for (const char* key : {"input_layout", "batch", "opt"}) {
    (*options)[key] = SmallPayload().header().compile_options().at(key);
  }
  EXPECT_EQ(Write(other), bytes);
}

TEST(HbmRead, TooShort) {
  const std::vector<uint8_t> bytes = Write(SmallPayload());
  ExpectReadError(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 11), "truncated .hbm");
  ExpectReadError({}, "truncated .hbm");
}

TEST(HbmRead, BadMagic) {
  std::vector<uint8_t> bytes = Write(SmallPayload());
  bytes[0] = 'P';
  ExpectReadError(bytes, "not an .hbm file");
}

TEST(HbmRead, FormatVersion) {
  const std::string payload = SmallPayload().SerializeAsString();
  absl::StatusOr<Payload> newer = ReadHbm(Frame(payload, 2));
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(newer.status().message()),
              HasSubstr("written by format version 2; this build reads version 1"));
  ExpectReadError(Frame(payload, 0), "written by format version 0; this build reads version 1");
}

TEST(HbmRead, CrcMismatch) {
  std::vector<uint8_t> bytes = Write(SmallPayload());
  bytes[bytes.size() / 2] ^= 0x10;
  ExpectReadError(bytes, "corrupt .hbm: CRC mismatch");
  bytes = Write(SmallPayload());
  bytes.back() ^= 1;
  ExpectReadError(bytes, "corrupt .hbm: CRC mismatch");
}

TEST(HbmRead, PayloadDoesNotParse) {
  ExpectReadError(Frame(std::string("\xff\xff\xff", 3)),
                  "corrupt .hbm: the payload does not parse");
}

// One case per semantic check: a mutation of the small payload and the message it must give,
// both through ReadHbm (a framed file) and WriteHbm (which refuses to write it).
struct SemanticCase {
  const char* name;
  std::function<void(Payload&)> mutate;
  const char* message;
};

TEST(HbmRead, SemanticChecks) {
  auto input = [](Payload& p) { return p.mutable_models(0)->mutable_inputs(0); };
  auto output = [](Payload& p) { return p.mutable_models(0)->mutable_outputs(0); };
  const std::vector<SemanticCase> cases = {
      {"header magic", [](Payload& p) { p.mutable_header()->set_magic("XXXX"); },
       "header magic 'XXXX' is not \"OBHM\""},
      {"header version", [](Payload& p) { p.mutable_header()->set_format_version(3); },
       "header format_version 3 differs"},
      {"no models", [](Payload& p) { p.clear_models(); }, "no models"},
      {"duplicate model names", [](Payload& p) { *p.add_models() = p.models(0); },
       "duplicate model name 'm'"},
      {"empty model name", [](Payload& p) { p.mutable_models(0)->clear_name(); }, "empty name"},
      {"unknown march", [](Payload& p) { p.mutable_header()->set_march("x9"); },
       "unknown march 'x9'"},
      {"program does not parse", [](Payload& p) { p.mutable_models(0)->set_program("OBPU"); },
       "model 'm': program does not parse: "},
      {"program march",
       [](Payload& p) {
         p.mutable_models(0)->set_program(ProgramBytes(SmallProgram(isa::MarchId::kBayesE)));
       },
       "program is for march bayes-e, the header says bayes"},
      {"dtype", [&](Payload& p) { input(p)->set_dtype(TensorDesc::DTYPE_UNSPECIFIED); },
       "input 0 'x': dtype DTYPE_UNSPECIFIED is not one of"},
      {"empty tensor name", [&](Payload& p) { output(p)->clear_name(); }, "empty tensor name"},
      {"rank", [&](Payload& p) { input(p)->add_valid_shape(1); }, "differ in rank"},
      {"negative dim", [&](Payload& p) { input(p)->set_valid_shape(1, -4); }, "negative dimension"},
      {"valid > aligned", [&](Payload& p) { input(p)->set_valid_shape(3, 5); },
       "valid_shape [1,4,4,5] exceeds aligned_shape [1,4,4,4] in dimension 3"},
      {"ddr_bytes too small", [&](Payload& p) { output(p)->set_ddr_bytes(31); },
       "aligned_shape [1,8] of INT32 needs 32 bytes, more than ddr_bytes 31"},
      {"element count overflow",
       [&](Payload& p) {
         for (int i = 0; i < 4; ++i) {
           input(p)->set_valid_shape(i, int64_t{1} << 40);
           input(p)->set_aligned_shape(i, int64_t{1} << 40);
         }
       },
       "needs more than 2^64 bytes"},
      {"input outside region", [&](Payload& p) { input(p)->set_ddr_offset(1); },
       "ddr_offset 1 + ddr_bytes 64 exceeds the program's DDR input region of 64 bytes"},
      {"output outside region", [&](Payload& p) { output(p)->set_ddr_offset(~uint64_t{0} - 8); },
       "exceeds the program's DDR output region of 32 bytes"},
      {"source", [&](Payload& p) { input(p)->set_source("pyramid"); },
       "source 'pyramid' is not \"ddr\""},
      {"scales without SCALE", [&](Payload& p) { input(p)->set_quant_type(TensorDesc::NONE); },
       "quant type NONE with scales"},
      {"BOOL with SCALE", [&](Payload& p) { output(p)->set_dtype(TensorDesc::BOOL); },
       "a BOOL tensor has quant type NONE, not SCALE"},
      {"SCALE without scales", [&](Payload& p) { input(p)->clear_scales(); },
       "quant type SCALE without scales"},
      {"bad scale", [&](Payload& p) { input(p)->set_scales(0, 0.0f); },
       "is not finite and positive"},
      {"quant axis", [&](Payload& p) { output(p)->set_quant_axis(2); },
       "quant axis 2 outside rank 2"},
      {"scale count", [&](Payload& p) { output(p)->add_scales(1.0f); },
       "3 scales for dimension 2 of quant axis 1"},
      {"layer past the program",
       [](Payload& p) { p.mutable_models(0)->mutable_layers(0)->set_last_instruction(3); },
       "layer 0 'conv': instructions 0..3 outside the program's 3 instructions"},
      {"layer first > last",
       [](Payload& p) {
         p.mutable_models(0)->mutable_layers(0)->set_first_instruction(2);
         p.mutable_models(0)->mutable_layers(0)->set_last_instruction(1);
       },
       "instructions 2..1 outside"},
      {"scratch peak",
       [](Payload& p) { p.mutable_models(0)->mutable_memory_plan()->set_scratch_peak_bytes(129); },
       "scratch peak 129 bytes exceeds scratch 128 bytes"},
      {"buffer region",
       [](Payload& p) {
         p.mutable_models(0)->mutable_memory_plan()->mutable_buffers(0)->set_region("l2");
       },
       "buffer 0 'x': unknown region 'l2'"},
      {"buffer outside the feature SRAM",
       [](Payload& p) {
         Buffer* b = p.mutable_models(0)->mutable_memory_plan()->mutable_buffers(0);
         b->set_region("sram");  // an O2 chain value, by feature SRAM address (bayes: 4 MiB)
         b->set_offset(4194304 - 32);
       },
       "offset 4194272 + bytes 64 exceeds the march's feature SRAM of 4194304 bytes"},
      {"buffer outside region",
       [](Payload& p) {
         p.mutable_models(0)->mutable_memory_plan()->mutable_buffers(0)->set_region("param");
       },
       "offset 0 + bytes 64 exceeds the program's DDR param region of 4 bytes"},
      {"buffer layers",
       [](Payload& p) {
         p.mutable_models(0)->mutable_memory_plan()->mutable_buffers(0)->set_last_layer(1);
       },
       "live layers 0..1 outside the model's 1 layers"},
  };
  ASSERT_TRUE(ValidatePayload(SmallPayload()).ok()) << ValidatePayload(SmallPayload());
  for (const SemanticCase& c : cases) {
    SCOPED_TRACE(c.name);
    Payload p = SmallPayload();
    c.mutate(p);
    absl::StatusOr<Payload> read = ReadHbm(Frame(p.SerializeAsString()));
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(read.status().message()), HasSubstr("invalid .hbm: "));
    EXPECT_THAT(std::string(read.status().message()), HasSubstr(c.message));
    absl::StatusOr<std::vector<uint8_t>> written = WriteHbm(p);
    ASSERT_FALSE(written.ok());
    EXPECT_THAT(std::string(written.status().message()), HasSubstr(c.message));
  }
}

TEST(HbmRead, TruncatedAtEveryLength) {
  const std::vector<uint8_t> bytes = Write(SmallPayload());
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<Payload> p = ReadHbm(absl::MakeConstSpan(bytes.data(), n));
    ASSERT_FALSE(p.ok()) << n;
  }
}

TEST(HbmRead, EverySingleBitFlip) {
  const std::vector<uint8_t> bytes = Write(SmallPayload());
  std::vector<uint8_t> flipped = bytes;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      flipped[i] ^= static_cast<uint8_t>(1 << bit);
      absl::StatusOr<Payload> p = ReadHbm(flipped);
      ASSERT_FALSE(p.ok()) << "byte " << i << " bit " << bit;
      flipped[i] = bytes[i];
    }
  }
}

TEST(HbmPack, MergesModels) {
  absl::StatusOr<Payload> packed = Pack({SmallPayload("a"), SmallPayload("b")});
  ASSERT_TRUE(packed.ok()) << packed.status();
  ASSERT_EQ(packed->models_size(), 2);
  EXPECT_EQ(packed->models(0).name(), "a");
  EXPECT_EQ(packed->models(1).name(), "b");
  EXPECT_EQ(packed->header().march(), "bayes");
  absl::StatusOr<Payload> read = ReadHbm(Write(*packed));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->models_size(), 2);
}

TEST(HbmPack, MarchConflict) {
  absl::StatusOr<Payload> packed = Pack({SmallPayload("a"), SmallPayload("b", "bernoulli2")});
  ASSERT_FALSE(packed.ok());
  EXPECT_THAT(std::string(packed.status().message()),
              HasSubstr("file 0 (model 'a') is for march bayes but file 1 (model 'b') is for "
                        "march bernoulli2"));
}

TEST(HbmPack, DuplicateModelName) {
  absl::StatusOr<Payload> packed = Pack({SmallPayload("a"), SmallPayload("b"), SmallPayload("a")});
  ASSERT_FALSE(packed.ok());
  EXPECT_THAT(std::string(packed.status().message()),
              HasSubstr("model 'a' is in file 0 and file 2"));
}

TEST(HbmPack, EmptyAndInvalidInputs) {
  EXPECT_FALSE(Pack({}).ok());
  Payload bad = SmallPayload("b");
  bad.clear_models();
  absl::StatusOr<Payload> packed = Pack({SmallPayload("a"), bad});
  ASSERT_FALSE(packed.ok());
  EXPECT_THAT(std::string(packed.status().message()), HasSubstr("pack: file 1: no models"));
}

}  // namespace
}  // namespace openbpu::hbm
