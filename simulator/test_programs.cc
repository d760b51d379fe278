// The simulator's hand-written test programs with hand-computed goldens: the registry, the
// runner and the byte helpers. The programs live in one file per unit (test_programs_tae.cc,
// test_programs_vae.cc, test_programs_aae.cc; see the comment above each for the arithmetic).
#include "simulator/test_programs.h"

#include "isa/assembler.h"
#include "isa/records.h"
#include "simulator/simulator.h"
#include "simulator/test_programs_internal.h"

namespace openbpu::sim::testing {

void Put32(std::vector<uint8_t>& v, int32_t x) {
  for (int i = 0; i < 4; ++i)
    v.push_back(static_cast<uint8_t>(static_cast<uint32_t>(x) >> (8 * i)));
}
void Put16(std::vector<uint8_t>& v, int16_t x) {
  for (int i = 0; i < 2; ++i)
    v.push_back(static_cast<uint8_t>(static_cast<uint16_t>(x) >> (8 * i)));
}
void Put8(std::vector<uint8_t>& v, int8_t x) { v.push_back(static_cast<uint8_t>(x)); }
void PadTo(std::vector<uint8_t>& v, size_t multiple) {
  while (v.size() % multiple) v.push_back(0);
}

void PutRequant(std::vector<uint8_t>& v, int32_t bias, int32_t mult, int8_t shift,
                int32_t sumin_mult, int8_t sumin_shift) {
  isa::RequantParam p;
  p.bias = bias;
  p.acc = {mult, shift};
  p.sumin = {sumin_mult, sumin_shift};
  Append(v, isa::kRequantParamBytes, [&](uint8_t* out) { isa::PackRequantParam(p, out); });
}

void PutRecord(std::vector<uint8_t>& v, int32_t mult, int8_t shift) {
  Append(v, isa::kRecordBytes, [&](uint8_t* out) { isa::PackRecord({mult, shift}, out); });
}

const std::vector<TestProgram>& AllTestPrograms() {
  static const std::vector<TestProgram>* all = new std::vector<TestProgram>{
      ConvRequantProgram(),
      MatmulRawS32Program(),
      EltwiseLut8Program(),
      RequantSuminRelu6Program(),
      AaePoolResizeReduceMoveProgram(),
      Int16ConvBayesProgram(),
      Lut16BayesProgram(),
      DoubleBufferedConvProgram(),
      NormalizedInt16BayesProgram(),
      VaeRowsProgram(),
      TopKProgram(),
      GatherProgram(),
      MatmulS16S16Program(),
      DivSelectBayesProgram(),
      OperandPitchProgram(),
      TwoCoreMatmulProgram(),
      ResNetConvLayer(),
  };
  return *all;
}

absl::StatusOr<isa::Program> Build(const TestProgram& t) {
  absl::StatusOr<isa::Program> p = isa::AssembleProgram(t.assembly);
  if (!p.ok()) return p.status();
  p->params = t.params;
  if (absl::Status st = isa::ValidateProgram(*p); !st.ok()) return st;
  return p;
}

absl::StatusOr<Outcome> RunTestProgram(const TestProgram& t, Mode mode, bool force_serial,
                                       bool trace) {
  absl::StatusOr<isa::Program> p = Build(t);
  if (!p.ok()) return p.status();
  absl::StatusOr<const isa::March*> march = isa::FindMarch(p->march);
  if (!march.ok()) return march.status();
  SimulatorOptions opt;
  opt.run.mode = mode;
  opt.run.force_serial = force_serial;
  opt.run.trace = trace;
  absl::StatusOr<std::unique_ptr<Simulator>> sim = Simulator::Create(*p, **march, opt);
  if (!sim.ok()) return sim.status();
  if (mode != Mode::kPerf) {
    if (absl::Status st = (*sim)->WriteRegion(isa::Region::kInput, 0, t.input); !st.ok()) return st;
  }
  absl::StatusOr<RunResult> r = (*sim)->Run();
  if (!r.ok()) return r.status();
  Outcome out;
  out.result = *std::move(r);
  if (mode != Mode::kPerf) {
    out.output.resize(p->ddr_output_bytes);
    if (absl::Status st = (*sim)->ReadRegion(isa::Region::kOutput, 0, absl::MakeSpan(out.output));
        !st.ok()) {
      return st;
    }
  }
  return out;
}

}  // namespace openbpu::sim::testing
