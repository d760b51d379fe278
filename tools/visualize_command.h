// `bpu visualize` (tools/visualize_command.cc; docs/VISUALIZE.md).
#ifndef OPENBPU_TOOLS_VISUALIZE_COMMAND_H_
#define OPENBPU_TOOLS_VISUALIZE_COMMAND_H_

#include "tools/sim_commands.h"

namespace openbpu::tools {

// Adds `visualize` to `app` (CLI11): MODEL.onnx | MODEL.q.hbir | MODEL.hbm -o graph.svg|png.
void AddVisualizeCommand(CLI::App& app, Command* command);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_VISUALIZE_COMMAND_H_
