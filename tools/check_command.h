// `bpu check` (tools/check_command.cc): a model against a march's op table (compiler/check).
#ifndef OPENBPU_TOOLS_CHECK_COMMAND_H_
#define OPENBPU_TOOLS_CHECK_COMMAND_H_

#include "tools/sim_commands.h"

namespace openbpu::tools {

// Adds `check` with its arguments to `app` (CLI11). When a parsed command line selects it,
// `*command` becomes its body (exit 0: the model compiles for the march; 1: it does not, or the
// work failed).
void AddCheckCommand(CLI::App& app, Command* command);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_CHECK_COMMAND_H_
