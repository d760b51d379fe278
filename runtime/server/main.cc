// openbpu-server: `.hbm` models over the KServe v2 gRPC protocol (docs/SERVING.md). Links the
// runtime only, not the compiler.
//   openbpu-server --model-repository DIR | --model NAME=PATH.hbm [--address 127.0.0.1:8001]
#include "CLI/CLI.hpp"
#include "runtime/server/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"openbpu-server: .hbm models over the KServe v2 gRPC inference protocol"};
  openbpu::server::ServeArgs args;
  openbpu::server::AddServeFlags(&app, &args);
  CLI11_PARSE(app, argc, argv);
  return openbpu::server::Serve(args);
}
