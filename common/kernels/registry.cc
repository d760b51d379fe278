#include "common/kernels/registry.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace openbpu::kernels {
namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, FloatKernel, std::less<>> kernels;
};
Registry& Global() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

bool RegisterFloatKernel(const std::string& op, FloatKernel kernel) {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.kernels.emplace(op, std::move(kernel)).second) {
    std::fprintf(stderr, "openbpu: two float kernels for op '%s'\n", op.c_str());
    std::abort();
  }
  return true;
}

const FloatKernel* FindFloatKernel(absl::string_view op) {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.kernels.find(op);
  return it == r.kernels.end() ? nullptr : &it->second;
}

std::vector<std::string> FloatKernelOps() {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> ops;
  for (const auto& [op, kernel] : r.kernels) ops.push_back(op);
  return ops;
}

}  // namespace openbpu::kernels
