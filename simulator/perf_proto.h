// Fills proto/perf.proto's SimStats from a simulator run (the statistics' one definition).
#ifndef OPENBPU_SIMULATOR_PERF_PROTO_H_
#define OPENBPU_SIMULATOR_PERF_PROTO_H_

#include "isa/march.h"
#include "proto/perf.pb.h"
#include "simulator/run_ops.h"
#include "simulator/stats.h"

namespace openbpu::sim {

perf::SimStats ToProto(const SimStats& stats, const isa::March& march, Mode mode);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_PERF_PROTO_H_
