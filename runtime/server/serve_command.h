// The serving command line shared by openbpu-server and `bpu serve`: the flags and the run until
// SIGTERM / SIGINT (then stop accepting, drain in-flight calls, exit 0).
#ifndef OPENBPU_RUNTIME_SERVER_SERVE_COMMAND_H_
#define OPENBPU_RUNTIME_SERVER_SERVE_COMMAND_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "runtime/server/server.h"

namespace openbpu::server {

struct ServeArgs {
  ServerOptions options;
  std::vector<std::string> models;        // NAME=PATH
  std::string version_policy = "latest";  // ParseVersionPolicy's text
};

// --model-repository, --model, --address, --max-request-bytes, --threads.
void AddServeFlags(CLI::App* app, ServeArgs* args);

// Serves until SIGTERM or SIGINT; returns the exit code (0 after a drain, 1 when the server
// cannot start, 2 for bad flags). Blocks both signals in the calling thread first: call it
// before any other thread starts, so every thread gRPC makes inherits the mask.
int Serve(const ServeArgs& args);

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_SERVE_COMMAND_H_
