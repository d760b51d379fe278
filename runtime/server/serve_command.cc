#include "runtime/server/serve_command.h"

#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <cstdio>

#include "runtime/server/bundled_model.h"

namespace openbpu::server {

void AddServeFlags(CLI::App* app, ServeArgs* args) {
  ServerOptions& o = args->options;
  app->add_option("--model-repository", o.model_repository,
                  "a model repository: DIR/<model>/<version>/model.hbm, each model's highest "
                  "version served; RepositoryModelLoad / Unload reload and unload them")
      ->type_name("DIR");
  app->add_option("--version-policy", args->version_policy,
                  "the repository versions served: latest, latest:N, all or specific:V1,V2,...")
      ->capture_default_str();
  app->add_option("--model", args->models,
                  "a model to serve outside a repository, NAME=PATH.hbm (repeatable)")
      ->type_name("NAME=PATH")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--address", o.address, "host:port to listen on (port 0: any free one)")
      ->capture_default_str();
  app->add_option("--max-request-bytes", o.max_request_bytes,
                  "the largest request's input bytes (gRPC's 4 MiB default is raised to it)")
      ->check(CLI::Range(int64_t{1}, (int64_t{1} << 31) - 1))
      ->capture_default_str();
  app->add_option("--metrics-address", o.metrics_address,
                  "host:port of the Prometheus metrics (http://.../metrics; empty: none)")
      ->capture_default_str();
  app->add_option("--max-concurrent", o.max_concurrent,
                  "executions running at once (worker threads, each on its own simulator); more "
                  "requests wait in their model's queue")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app->add_option("--max-queue-size", o.max_queue_size,
                  "requests one model version's queue holds; beyond it UNAVAILABLE at once")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  app->add_option("--max-queue-delay-us", o.max_queue_delay_us,
                  "dynamic batching (models compiled with --batch N): how long the oldest queued "
                  "request waits for others to fill the batch (0: run what is queued)")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000'000}))
      ->capture_default_str();
  app->add_option("--threads", o.threads, "simulator threads per inference")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
}

int Serve(const ServeArgs& args) {
  // SIGTERM / SIGINT are blocked in every thread (gRPC's inherit the mask) and taken by sigwait
  // below: then the server drains in-flight calls and the process exits 0.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ServerOptions options = args.options;
  absl::StatusOr<VersionPolicy> policy = ParseVersionPolicy(args.version_policy);
  if (!policy.ok()) {
    std::fprintf(stderr, "serve: --version-policy: %s\n",
                 std::string(policy.status().message()).c_str());
    return 2;
  }
  options.version_policy = *policy;
  for (const std::string& m : args.models) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      std::fprintf(stderr, "serve: --model takes NAME=PATH, not '%s'\n", m.c_str());
      return 2;
    }
    options.models[m.substr(0, eq)] = m.substr(eq + 1);
  }
  if (options.models.empty() && options.model_repository.empty()) {
    // Out of the box: the bundled digits CNN (bundled_model.h).
    options.memory_models[kBundledModelName] = BundledModel();
    std::printf(
        "serve: no --model-repository or --model: serving the bundled model '%s' (the digits "
        "CNN, input [1, 1, 8, 8] FP32, 10 logits)\n",
        kBundledModelName);
  }
  absl::StatusOr<std::unique_ptr<InferenceServer>> server = InferenceServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "serve: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  if ((*server)->metrics_port() != 0) {
    std::printf("serve: metrics on port %d\n", (*server)->metrics_port());
  }
  std::printf("serve: listening on port %d\n", (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  std::printf("serve: signal %d, draining\n", sig);
  std::fflush(stdout);
  (*server)->Shutdown();
  return 0;
}

}  // namespace openbpu::server
