// openbpu-server: `.hbm` models over the KServe v2 gRPC protocol (docs/SERVING.md). Links the
// runtime only, not the compiler.
//   openbpu-server --model-repository DIR | --model NAME=PATH.hbm [--address 127.0.0.1:8001]
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "runtime/server/server.h"

int main(int argc, char** argv) {
  // SIGTERM / SIGINT are blocked in every thread (gRPC's inherit the mask) and taken by sigwait
  // below: then the server drains in-flight calls and the process exits 0.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  CLI::App app{"openbpu-server: .hbm models over the KServe v2 gRPC inference protocol"};
  openbpu::server::ServerOptions options;
  std::vector<std::string> models;
  app.add_option(
         "--model-repository", options.model_repository,
         "a model repository: DIR/<model>/<version>/model.hbm, each model's highest version "
         "served; RepositoryModelLoad / Unload reload and unload them")
      ->type_name("DIR");
  app.add_option("--model", models,
                 "a model to serve outside a repository, NAME=PATH.hbm (repeatable)")
      ->type_name("NAME=PATH");
  app.add_option("--address", options.address, "host:port to listen on (port 0: any free one)")
      ->capture_default_str();
  app.add_option(
         "--max-request-bytes", options.max_request_bytes,
         "the largest request accepted (inputs' bytes; gRPC's 4 MiB default is raised to it)")
      ->check(CLI::Range(int64_t{1}, (int64_t{1} << 31) - 1))
      ->capture_default_str();
  app.add_option("--threads", options.threads, "simulator threads per inference")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  for (const std::string& m : models) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      std::fprintf(stderr, "openbpu-server: --model takes NAME=PATH, not '%s'\n", m.c_str());
      return 2;
    }
    options.models[m.substr(0, eq)] = m.substr(eq + 1);
  }
  if (options.models.empty() && options.model_repository.empty()) {
    std::fprintf(stderr, "openbpu-server: give --model-repository DIR or --model NAME=PATH\n");
    return 2;
  }
  auto server = openbpu::server::InferenceServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "openbpu-server: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("openbpu-server: listening on port %d\n", (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  std::printf("openbpu-server: signal %d, draining\n", sig);
  std::fflush(stdout);
  (*server)->Shutdown();
  return 0;
}
