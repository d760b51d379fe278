// `bpu sim MODEL.hbm`: runs a compiled model's program on the simulator with float inputs
// (tools/hbm_sim.cc).
#ifndef OPENBPU_TOOLS_HBM_SIM_H_
#define OPENBPU_TOOLS_HBM_SIM_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hbm/hbm.h"
#include "simulator/run_ops.h"

namespace openbpu::tools {

struct HbmSimArgs {
  std::string path;
  std::vector<std::string> inputs;  // a float32 .npy per model input, in order (none: zeros)
  std::string output;  // OUT.npy (one output) or the prefix of OUT<i>.npy (several), if set
  sim::Mode mode = sim::Mode::kBoth;
  bool serial = false;
  std::string model;  // the model of a packed file to run (empty: the first)
};

// Reads and checks an .hbm file (errors name the path).
absl::StatusOr<hbm::Payload> ReadPayload(const std::string& path);

// True when `bytes` start with the .hbm magic.
bool LooksLikeHbm(const std::string& bytes);

// Reads and checks the .hbm, quantizes each input with its descriptor's scale (float32 x / scale,
// round half to even, saturate: QuantizeLinear) into the descriptor's layout (NHWC or NCHW), runs
// the model named args.model (the first when empty), prints cycles and each dequantized output
// (and its argmax) in the model's NCHW order. Returns the exit code (0, or 1 when the work failed).
int SimHbm(const HbmSimArgs& args);

// `bpu disas MODEL.hbm`: the header, then per model its descriptors, layer table, memory plan and
// instructions (the parameter blob summarized, not dumped).
int DisasHbm(const std::string& path);

// `bpu pack A.hbm B.hbm ... -o OUT.hbm`: the models of several files of one march in one file.
int PackHbm(const std::vector<std::string>& inputs, const std::string& output);

// `bpu perf MODEL.hbm` (tools/perf_hbm.cc): the perf_model report of one model (the first, or
// `model`) on the timing simulator: `out_dir`/perf.json (proto/perf.proto PerfReport, the
// vendor's keys), a Chrome trace per BPU program (trace.json, or trace_<segment>.json for a
// hybrid model's BPU segments), and a one-screen summary (every layer with `layer_details`).
struct PerfHbmArgs {
  std::string path, model, out_dir = ".";
  bool layer_details = false;
};
int PerfHbm(const PerfHbmArgs& args);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_HBM_SIM_H_
