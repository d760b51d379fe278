// `bpu asm`, `bpu disas` and `bpu sim` (tools/sim_commands.cc).
#ifndef OPENBPU_TOOLS_SIM_COMMANDS_H_
#define OPENBPU_TOOLS_SIM_COMMANDS_H_

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace openbpu::tools {

// The body of the subcommand a command line selected; returns the process exit code (0 done,
// 1 the work failed).
using Command = std::function<int()>;

// Adds `asm`, `disas` and `sim` with their arguments to `app` (CLI11). When a parsed command line
// selects one of them, `*command` becomes its body.
void AddSimCommands(CLI::App& app, Command* command);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_SIM_COMMANDS_H_
