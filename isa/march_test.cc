// Tests of the march tables: physical plausibility, provenance on every parameter, fit with the
// ISA's address fields, and the ISA.md table being exactly what the code generates.
#include "isa/march.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "isa/instruction.h"

namespace openbpu::isa {
namespace {

bool HasProvenance(const char* p) {
  return absl::StartsWith(p, "public: ") || absl::StartsWith(p, "assumed: ") ||
         absl::StartsWith(p, "derived: ") || absl::StartsWith(p, "calibrated: ");
}

TEST(March, ThreeMarchesByNameAndId) {
  ASSERT_EQ(AllMarches().size(), static_cast<size_t>(kNumMarches));
  for (const char* name : {"bernoulli2", "bayes", "bayes-e"}) {
    absl::StatusOr<const March*> m = FindMarch(name);
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_EQ(*FindMarch((*m)->id), *m);
    EXPECT_STREQ(MarchName((*m)->id), name);
  }
  EXPECT_EQ(FindMarch("x3").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FindMarch(static_cast<MarchId>(9)).status().code(), absl::StatusCode::kNotFound);
}

TEST(March, Sanity) {
  for (const March& m : AllMarches()) {
    SCOPED_TRACE(m.name);
    for (const char* p : {m.clock_hz.provenance,
                          m.cores.provenance,
                          m.feature_tile_h.provenance,
                          m.feature_tile_w.provenance,
                          m.weight_tile_oc.provenance,
                          m.weight_tile_ic.provenance,
                          m.int16_mac_rate.provenance,
                          m.tae_efficiency.provenance,
                          m.vae_lanes.provenance,
                          m.aae_lanes.provenance,
                          m.feature_sram_bytes.provenance,
                          m.weight_sram_bytes.provenance,
                          m.acc_sram_bytes.provenance,
                          m.lut_sram_bytes.provenance,
                          m.ddr_peak_bytes_per_cycle.provenance,
                          m.ddr_efficiency.provenance,
                          m.ddr_latency_cycles.provenance,
                          m.issue_cycles.provenance,
                          m.published_tops.provenance,
                          m.int16_activations.provenance}) {
      EXPECT_TRUE(HasProvenance(p)) << p;
    }
    EXPECT_GT(m.clock_hz.value, 1e8);
    EXPECT_LE(m.clock_hz.value, 3e9);
    EXPECT_GE(m.cores.value, 1);
    // Efficiencies are fractions; sustained bandwidth never exceeds the DDR's peak.
    EXPECT_GT(m.tae_efficiency.value, 0);
    // At most one fitted parameter in the whole table (issue 14): bernoulli2's TAE efficiency.
    EXPECT_EQ(absl::StartsWith(m.tae_efficiency.provenance, "calibrated: "),
              m.id == MarchId::kBernoulli2)
        << m.name;
    EXPECT_LE(m.tae_efficiency.value, 1.0);
    EXPECT_GT(m.ddr_efficiency.value, 0);
    EXPECT_LE(m.ddr_efficiency.value, 1.0);
    EXPECT_LE(m.DdrBytesPerCycle(), m.ddr_peak_bytes_per_cycle.value);
    EXPECT_GE(m.int16_mac_rate.value, 0);
    EXPECT_LE(m.int16_mac_rate.value, 1.0);
    EXPECT_EQ(m.int16_mac_rate.value > 0, m.int16_activations.value);
    // The modeled dense peak is within a plausible band of the vendor's ("equivalent") TOPS.
    EXPECT_GE(m.PeakTops(), 0.5 * m.published_tops.value);
    EXPECT_LE(m.PeakTops(), 1.1 * m.published_tops.value);
    // SRAMs fit the ISA's address fields: a16:20 (16 MiB) and 24-bit byte addresses.
    for (int64_t bytes : {m.feature_sram_bytes.value, m.weight_sram_bytes.value,
                          m.acc_sram_bytes.value, m.lut_sram_bytes.value}) {
      EXPECT_GT(bytes, 0);
      EXPECT_EQ(bytes % kSramAlign, 0);
      EXPECT_LE(bytes, int64_t{1} << 24);
    }
    EXPECT_GE(m.lut_sram_bytes.value, 256 + 2048);  // an int8 table and a SegmentLUT image
    EXPECT_GT(m.vae_lanes.value, 0);
    EXPECT_GT(m.aae_lanes.value, 0);
    EXPECT_GT(m.ddr_latency_cycles.value, 0);
  }
  // Public facts of ISA_AND_SIMULATOR.md.
  const March& b2 = **FindMarch("bernoulli2");
  EXPECT_EQ(b2.MacsPerCycle(), 1024);
  EXPECT_EQ(b2.cores.value, 2);
  EXPECT_DOUBLE_EQ(b2.ddr_peak_bytes_per_cycle.value, 12.8);
  EXPECT_FALSE(b2.int16_activations.value);
  EXPECT_EQ((*FindMarch("bayes-e"))->cores.value, 1);
  EXPECT_TRUE((*FindMarch("bayes"))->int16_activations.value);
}

TEST(March, IsaMdTableMatchesCode) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const std::string path =
      srcdir ? absl::StrCat(srcdir, "/openbpu/isa/ISA.md") : std::string("isa/ISA.md");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string begin = "<!-- march-table-begin -->\n";
  const std::string end = "<!-- march-table-end -->";
  const size_t b = doc.find(begin);
  const size_t e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), MarchTableMarkdown())
      << "regenerate the table in isa/ISA.md from MarchTableMarkdown()";
}

}  // namespace
}  // namespace openbpu::isa
