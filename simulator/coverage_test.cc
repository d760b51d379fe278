// Enumerates the isa/numerics primitives and the instruction reaching each. Every primitive
// the hardware evaluates must be reached by an instruction that a hand-written test program
// executes (with its golden checked); compile-time helpers (record and table builders) are
// listed explicitly, and so are the kernels of ops the ISA has no instruction for yet
// (note "PENDING": today only the quantized reference runs them; each names the op). Gaps
// (any other primitive no instruction reaches) must be 0, and the list must name exactly the
// functions the isa/numerics headers declare.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "simulator/test_programs.h"

namespace openbpu::sim {
namespace {

struct Primitive {
  const char* header;
  const char* name;
  const char* instruction;  // mnemonic reaching it; "" for compile-time, pending and gaps
  const char* note;
};

// Every public function of isa/numerics/*.h.
const Primitive kPrimitives[] = {
    {"requantize.h", "Saturate", "vae.requant", ""},
    {"requantize.h", "SaturateInt8", "vae.requant", ""},
    {"requantize.h", "SaturateInt16", "vae.requant", ""},
    {"requantize.h", "SaturateInt32", "", "compile-time (same clamp as Saturate)"},
    {"requantize.h", "RoundingShiftRight", "vae.requant", ""},
    {"requantize.h", "Requantize", "vae.requant", ""},
    {"requantize.h", "MakeRequantizeRecord", "", "compile-time record builder"},
    {"requantize.h", "RecordToReal", "", "compile-time record inspection"},
    {"elementwise.h", "RequantizeWithSumin", "vae.requant_sumin", ""},
    {"elementwise.h", "SumRecordsCompatible", "vae.requant", "record check"},
    {"elementwise.h", "BayesAddAccumulator", "vae.add", ""},
    {"elementwise.h", "ApplyBayesAdd", "vae.sub", ""},
    {"elementwise.h", "Bernoulli2AddAccumulator", "vae.add_b2", ""},
    {"elementwise.h", "ApplyBernoulli2Add", "vae.add_b2", ""},
    {"elementwise.h", "ApplyMul", "vae.mul", ""},
    {"elementwise.h", "MakeBayesAddParams", "", "compile-time record builder"},
    {"elementwise.h", "MakeBernoulli2AddParams", "", "compile-time record builder"},
    {"elementwise.h", "MakeMulParams", "", "compile-time record builder"},
    {"elementwise.h", "ApplyDiv", "vae.div", ""},
    {"compare.h", "CompareScaled", "vae.cmp", ""},
    {"compare.h", "ExactScaleOf", "", "compile-time CmpParam builder"},
    {"lut.h", "LookupInt8", "vae.lut8", ""},
    {"lut.h", "MakeInt8Lut", "", "compile-time table builder"},
    {"lut.h", "MakeTable", "", "compile-time table builder"},
    {"lut.h", "QuantizeTableEntry", "", "compile-time table builder"},
    {"lut.h", "MakeReciprocalTable", "", "compile-time table builder (vae.recip image)"},
    {"lut.h", "Reciprocal", "vae.recip", ""},
    {"lut.h", "MakeRsqrtTable", "", "compile-time table builder (vae.sqrt image)"},
    {"lut.h", "Rsqrt", "vae.sqrt", ""},
    {"lut.h", "MakeLog2Table", "", "compile-time table builder (vae.log image)"},
    {"lut.h", "Log2Fixed", "vae.log", ""},
    {"lut.h", "ShiftRoundSaturate", "vae.recip", "also vae.sqrt, vae.log"},
    {"lut.h", "NormalizedReciprocal", "vae.recip", ""},
    {"lut.h", "NormalizedSqrt", "vae.sqrt", ""},
    {"lut.h", "NormalizedLog", "vae.log", ""},
    {"segment_lut.h", "Evaluate", "vae.lut16", ""},
    {"segment_lut.h", "UnpackRecord", "vae.lut16", "image check"},
    {"segment_lut.h", "PackRecord", "", "compile-time image builder"},
    {"segment_lut.h", "Fit", "", "compile-time table fitting"},
    {"segment_lut.h", "SegmentLutTarget", "", "compile-time error report"},
    {"segment_lut.h", "MaxErrorLsb", "", "compile-time error report"},
    {"pool.h", "PlanPoolWindows", "aae.avgpool", ""},
    {"pool.h", "ForEachPoolWindow", "aae.avgpool", ""},
    {"pool.h", "MaxPool", "aae.maxpool", ""},
    {"pool.h", "SumPool", "aae.avgpool", ""},
    {"pool.h", "PoolDivisors", "aae.avgpool", ""},
    {"reduce.h", "ReduceMax", "aae.reduce", "max, and min as -max(-x)"},
    {"reduce.h", "ArgMax", "aae.reduce", "argmax, and argmin as argmax(-x)"},
    {"reduce.h", "TopK", "aae.topk", ""},
    {"resize.h", "ResizeNearestCopy", "aae.resize_nearest", ""},
    {"resize.h", "ResizeLinear", "aae.resize_linear", ""},
    {"resize.h", "IsInterpolated", "aae.resize_linear", ""},
    {"resize.h", "ResizeSourceCoordinate", "", "compile-time table builder"},
    {"resize.h", "NearestIndex", "", "compile-time table builder"},
    {"resize.h", "NearestIndexTable", "", "compile-time table builder"},
    {"resize.h", "LinearTapTable", "", "compile-time table builder"},
    {"movement.h", "StridedCopy", "aae.move", ""},
    {"movement.h", "ElementStrides", "", "compile-time aae.move strides"},
    {"movement.h", "TransposeView", "", "compile-time aae.move strides"},
    {"movement.h", "SliceView", "", "compile-time aae.move strides"},
    {"movement.h", "BroadcastView", "", "compile-time aae.move strides"},
    {"movement.h", "TileView", "", "compile-time aae.move strides"},
    {"movement.h", "DepthToSpaceView", "", "compile-time aae.move strides"},
    {"movement.h", "SpaceToDepthView", "", "compile-time aae.move strides"},
    {"softmax.h", "SoftmaxExp", "vae.softmax", ""},
    {"softmax.h", "Softmax", "vae.softmax", ""},
    {"layer_norm.h", "LayerNorm", "vae.layernorm", ""},
};

TEST(NumericsCoverage, EveryEvaluatedPrimitiveIsReachedByATestedInstruction) {
  int reached = 0, compile_time = 0, pending = 0, gaps = 0;
  for (const Primitive& p : kPrimitives) {
    if (absl::StartsWith(p.note, "GAP")) {
      ++gaps;
      std::printf("numerics-gap: %s %s (%s)\n", p.header, p.name, p.note);
      continue;
    }
    if (absl::StartsWith(p.note, "PENDING")) {
      EXPECT_TRUE(std::string(p.instruction).empty()) << p.name << ": reached, not pending";
      ++pending;
      std::printf("numerics-pending: %s %s (%s)\n", p.header, p.name, p.note);
      continue;
    }
    if (std::string(p.instruction).empty()) {
      ++compile_time;
      continue;
    }
    const testing::TestProgram* found = nullptr;
    for (const testing::TestProgram& t : testing::AllTestPrograms()) {
      bool covers = false;
      for (const std::string& c : t.covers) covers |= c == p.name;
      if (covers && absl::StrContains(t.assembly, absl::StrCat(p.instruction, " "))) found = &t;
    }
    ASSERT_NE(found, nullptr) << p.name << " via " << p.instruction
                              << ": no test program executes it";
    auto out = testing::RunTestProgram(*found, Mode::kBoth);
    ASSERT_TRUE(out.ok()) << found->name << ": " << out.status();
    EXPECT_EQ(out->output, found->expected) << found->name;
    std::printf("numerics-coverage: %-24s <- %-20s (%s)\n", p.name, p.instruction,
                found->name.c_str());
    ++reached;
  }
  std::printf(
      "numerics-coverage: %zu primitives, %d reached by instructions, %d compile-time, "
      "%d pending an instruction, %d gaps\n",
      std::size(kPrimitives), reached, compile_time, pending, gaps);
  EXPECT_EQ(gaps, 0) << "every integer primitive must be reachable from some instruction";
}

// The functions declared at namespace scope (column 0) of isa/numerics/*.h.
std::set<std::pair<std::string, std::string>> DeclaredPrimitives() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::filesystem::path dir =
      srcdir ? std::filesystem::path(srcdir) / "openbpu/isa/numerics" : "isa/numerics";
  const std::regex decl(R"(^(?:inline |constexpr )*(?:const )?[A-Za-z_][\w:<>, ]*?[\s*&]+(\w+)\()");
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      static const char* const kSkip[] = {"//",    "#",         "struct",   "enum",  "class",
                                          "using", "namespace", "template", "return"};
      bool skip = false;
      for (const char* k : kSkip) skip |= absl::StartsWith(line, k);
      std::smatch m;
      if (!skip && std::regex_search(line, m, decl)) {
        out.insert({entry.path().filename().string(), m[1].str()});
      }
    }
  }
  return out;
}

TEST(NumericsCoverage, ListNamesEveryDeclaredPrimitive) {
  const auto declared = DeclaredPrimitives();
  ASSERT_GT(declared.size(), 40u) << "isa/numerics headers not found in the runfiles";
  std::set<std::pair<std::string, std::string>> listed;
  for (const Primitive& p : kPrimitives) listed.insert({p.header, p.name});
  for (const auto& d : declared) {
    EXPECT_TRUE(listed.count(d)) << d.first << " declares " << d.second
                                 << ": add it to kPrimitives with the instruction reaching it";
  }
  for (const auto& l : listed) {
    EXPECT_TRUE(declared.count(l)) << l.first << " no longer declares " << l.second;
  }
}

}  // namespace
}  // namespace openbpu::sim
