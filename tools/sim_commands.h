// `bpu asm`, `bpu disas` and `bpu sim` (tools/sim_commands.cc).
#ifndef OPENBPU_TOOLS_SIM_COMMANDS_H_
#define OPENBPU_TOOLS_SIM_COMMANDS_H_

#include <string>
#include <vector>

namespace openbpu::tools {

// The usage lines of the three commands, for `bpu --help`.
extern const char kSimUsage[];

int Asm(const std::vector<std::string>& args);
int Disas(const std::vector<std::string>& args);
int Sim(const std::vector<std::string>& args);

}  // namespace openbpu::tools

#endif  // OPENBPU_TOOLS_SIM_COMMANDS_H_
