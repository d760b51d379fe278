// The KServe v2 server under load (issue 17): the digits CNN served on loopback by
// openbpu-server in its own process, 64 concurrent gRPC clients here (C++ stubs from
// proto/grpc_service.proto, one channel each) sending 10,000 ModelInfer requests. Counters:
// throughput, latency p50 / p90 / p99, errors, the server process's RSS at rest after 10,000
// requests against at rest after the first 1,000, and the server's per-request overhead: one
// client's sequential latency against Model::Run called directly on the same input in this process,
// interleaved.
//   bazel run -c opt //benchmarks:server_bench
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/npy.h"
#include "proto/grpc_service.grpc.pb.h"
#include "runtime/runtime.h"
#include "tests/backend_run.h"

namespace openbpu {
namespace {

constexpr int kClients = 64;
constexpr int kRequests = 10000;
constexpr int kFirst = 1000;  // the RSS baseline: at rest after this many

// The digits CNN quantized for bayes, compiled at O2, written to /tmp.
std::string DigitsHbm() {
  const std::string dir = test_util::ModelDataDir();
  const std::string path = "/tmp/openbpu_server_bench_digits.hbm";
  if (!test_util::CompileToHbm(dir + "digits.onnx", dir + "digits_calib.npy", "digits", "bayes",
                               "O2", path)
           .ok()) {
    std::abort();
  }
  return path;
}

double RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

inference::ModelInferRequest Request(const std::vector<float>& rows, int i) {
  inference::ModelInferRequest req;
  req.set_model_name("digits");
  auto* in = req.add_inputs();
  in->set_name("input");
  in->set_datatype("FP32");
  for (int64_t d : {1, 1, 8, 8}) in->add_shape(d);
  const float* x = rows.data() + static_cast<size_t>(i % 360) * 64;
  req.add_raw_input_contents(std::string(reinterpret_cast<const char*>(x), 64 * sizeof(float)));
  return req;
}

void BM_ServeDigits(benchmark::State& state) {
  const std::string path = DigitsHbm();
  absl::StatusOr<Tensor> x = ReadNpy(test_util::ModelDataDir() + "digits_test_x.npy");
  if (!x.ok()) {
    state.SkipWithError("no digits_test_x.npy");
    return;
  }
  const std::vector<float> rows(x->data<float>(), x->data<float>() + x->num_elements());
  // openbpu-server from the runfiles, its stdout on a pipe for the port line.
  std::string server = test_util::ModelDataDir();
  server = server.substr(0, server.size() - std::string("tests/models/").size()) +
           "runtime/server/openbpu-server";
  int out[2];
  if (pipe(out) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    const std::string model = "digits=" + path;
    execl(server.c_str(), server.c_str(), "--model", model.c_str(), "--address", "127.0.0.1:0",
          "--metrics-address", "", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* lines = fdopen(out[0], "r");
  int port = 0;
  char line[256];
  while (port == 0 && std::fgets(line, sizeof line, lines) != nullptr) {
    const char* at = std::strstr(line, "listening on port ");
    if (at != nullptr) port = std::atoi(at + std::strlen("listening on port "));
  }
  if (port == 0) {
    state.SkipWithError(("openbpu-server did not start: " + server).c_str());
    return;
  }
  const std::string target = "127.0.0.1:" + std::to_string(port);
  for (auto _ : state) {
    std::atomic<int> errors{0};
    std::vector<double> latencies(kRequests);
    // 64 clients (one channel each) send requests [from, to) between them.
    auto load = [&](int from, int to) {
      std::atomic<int> next{from};
      std::vector<std::thread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
          auto stub = inference::GRPCInferenceService::NewStub(
              grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
          for (int i = next.fetch_add(1); i < to; i = next.fetch_add(1)) {
            const inference::ModelInferRequest req = Request(rows, i);
            inference::ModelInferResponse resp;
            grpc::ClientContext ctx;
            const auto t0 = std::chrono::steady_clock::now();
            const grpc::Status st = stub->ModelInfer(&ctx, req, &resp);
            latencies[static_cast<size_t>(i)] =
                std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                    .count();
            if (!st.ok() || resp.raw_output_contents_size() != 1) errors.fetch_add(1);
          }
        });
      }
      for (std::thread& t : clients) t.join();
    };
    // The server's RSS at rest after the first 1,000 requests and after all 10,000 (the pause
    // between the phases is not timed).
    auto rest_rss = [&] {  // the server trims its heap after 100-200 ms idle
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return RssKib(pid);
    };
    auto start = std::chrono::steady_clock::now();
    load(0, kFirst);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rss_first = rest_rss();
    start = std::chrono::steady_clock::now();
    load(kFirst, kRequests);
    secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rss_all = rest_rss();
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) { return latencies[static_cast<size_t>(p * (kRequests - 1))]; };
    state.counters["requests_per_s"] = kRequests / secs;
    state.counters["p50_us"] = pct(0.50);
    state.counters["p90_us"] = pct(0.90);
    state.counters["p99_us"] = pct(0.99);
    state.counters["errors"] = errors.load();
    state.counters["rss_1000_MiB"] = rss_first / 1024;
    state.counters["rss_10000_MiB"] = rss_all / 1024;
    state.counters["rss_growth_%"] = (rss_all / rss_first - 1) * 100;
  }
  // Overhead: one client, sequential, against Model::Run directly on the same input.
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(path);
  if (!pkg.ok()) std::abort();
  const runtime::Model& model = *(*pkg)->models()[0];
  std::vector<Tensor> in(1, Tensor(DType::kFloat32, {1, 1, 8, 8}));
  std::copy(rows.begin(), rows.begin() + 64, in[0].data<float>());
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  const inference::ModelInferRequest req = Request(rows, 0);
  constexpr int kSequential = 500;
  double direct = 0, served = 0, live = 0;
  for (int round = 0; round < 3; ++round) {  // interleaved: machine noise hits both alike
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kSequential; ++i) benchmark::DoNotOptimize(model.Run(in));
    direct +=
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kSequential; ++i) {
      inference::ModelInferResponse resp;
      grpc::ClientContext ctx;
      (void)stub->ModelInfer(&ctx, req, &resp);
    }
    served +=
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kSequential; ++i) {
      inference::ServerLiveResponse resp;
      grpc::ClientContext ctx;
      (void)stub->ServerLive(&ctx, inference::ServerLiveRequest(), &resp);
    }
    live +=
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["direct_us"] = direct / (3 * kSequential);
  state.counters["served_us"] = served / (3 * kSequential);
  state.counters["overhead_us"] = (served - direct) / (3 * kSequential);
  // The transport's floor: a ServerLive round trip (no model, no scheduler).
  state.counters["live_us"] = live / (3 * kSequential);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::fclose(lines);
  state.counters["server_exit"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

BENCHMARK(BM_ServeDigits)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace openbpu
