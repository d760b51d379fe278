// classify: an application of the OpenBPU runtime (runtime/runtime.h). Loads a compiled .hbm,
// reads a float32 .npy of images ([N, ...]: one run per image when the model takes one, or the
// whole batch when it takes N), runs each through the model and prints its top-5 classes; with
// --labels (an .npy of N integer labels) also the top-1 accuracy.
//
//   classify model.hbm images.npy [--labels labels.npy] [--top 5] [--model NAME] [--mode func]
//
// Built by Bazel (//examples/classify) or, against an installed runtime (tools/install.sh), by
//   g++ -std=c++20 classify.cc $(pkg-config --cflags --libs openbpu) -o classify
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/npy.h"
#include "common/tensor.h"
#include "runtime/runtime.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "classify: %s\n", std::string(status.message()).c_str());
  return 1;
}

// Images [first, first + count) of a float32 [N, ...] batch, as a [count, ...] tensor.
openbpu::Tensor Slice(const openbpu::Tensor& batch, int64_t first, int64_t count) {
  openbpu::Shape shape = batch.shape();
  const int64_t per = batch.num_elements() / shape[0];
  shape[0] = count;
  openbpu::Tensor out(openbpu::DType::kFloat32, shape);
  std::memcpy(out.data<float>(), batch.data<float>() + first * per,
              static_cast<size_t>(count * per) * sizeof(float));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Classify images with a compiled .hbm model on the OpenBPU runtime");
  std::string hbm, images, labels, name, mode = "func";
  int top = 5;
  app.add_option("MODEL.hbm", hbm, "the compiled model")->required()->type_name("");
  app.add_option("IMAGES.npy", images, "float32 images [N, ...]")->required()->type_name("");
  app.add_option("--labels", labels, "integer labels [N]: print the top-1 accuracy")
      ->type_name("LABELS.npy");
  app.add_option("--top", top, "classes to print per image")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--model", name, "the model of a packed file (default: the first)")
      ->type_name("NAME");
  app.add_option("--mode", mode, "func, or both (also the modeled latency)")
      ->check(CLI::IsMember({"func", "both"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<std::unique_ptr<openbpu::runtime::Package>> pkg =
      openbpu::runtime::Package::LoadFile(hbm);
  if (!pkg.ok()) return Fail(pkg.status());
  absl::StatusOr<const openbpu::runtime::Model*> model =
      name.empty() ? (*pkg)->models()[0].get() : (*pkg)->GetModel(name);
  if (!model.ok()) return Fail(model.status());
  if ((*model)->inputs().size() != 1 || (*model)->outputs().empty()) {
    return Fail(absl::InvalidArgumentError("classify needs a model of one input"));
  }
  absl::StatusOr<openbpu::Tensor> x = openbpu::ReadNpy(images);
  if (!x.ok()) return Fail(x.status());
  const openbpu::runtime::TensorInfo& in = (*model)->inputs()[0];
  if (x->dtype() != openbpu::DType::kFloat32 || x->shape().size() != in.valid_shape.size() ||
      in.valid_shape.empty() || x->shape()[0] % in.valid_shape[0] != 0) {
    return Fail(absl::InvalidArgumentError(
        "the images must be float32 [N, ...] with the model input's dimensions after N"));
  }
  std::vector<int64_t> truth;
  if (!labels.empty()) {
    absl::StatusOr<openbpu::Tensor> y = openbpu::ReadNpy(labels);
    if (!y.ok()) return Fail(y.status());
    for (int64_t i = 0; i < y->num_elements(); ++i) {
      truth.push_back(static_cast<int64_t>(y->GetAsDouble(i)));
    }
    if (static_cast<int64_t>(truth.size()) != x->shape()[0]) {
      return Fail(absl::InvalidArgumentError("one label per image"));
    }
  }
  openbpu::runtime::RunOptions options;
  options.backend = *openbpu::runtime::ParseBackend(mode);
  const int64_t per_run = in.valid_shape[0], n = x->shape()[0];
  int64_t correct = 0;
  uint64_t cycles = 0;
  std::printf("classify: %s (%s), %lld images\n", (*model)->name().c_str(),
              (*model)->march().c_str(), static_cast<long long>(n));
  for (int64_t first = 0; first < n; first += per_run) {
    openbpu::runtime::RunStats stats;
    absl::StatusOr<std::vector<openbpu::Tensor>> out =
        (*model)->Run({Slice(*x, first, per_run)}, options, &stats);
    if (!out.ok()) return Fail(out.status());
    cycles += stats.cycles;
    const openbpu::Tensor& scores = (*out)[0];
    const int64_t classes = scores.num_elements() / per_run;
    for (int64_t i = 0; i < per_run; ++i) {
      std::vector<int64_t> order(static_cast<size_t>(classes));
      std::iota(order.begin(), order.end(), 0);
      const float* s = scores.data<float>() + i * classes;
      const int k = static_cast<int>(std::min<int64_t>(top, classes));
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
      });
      std::string line;
      for (int j = 0; j < k; ++j) {
        char item[64];
        std::snprintf(item, sizeof item, "%s%lld (%.3g)", j ? ", " : "",
                      static_cast<long long>(order[j]), s[order[j]]);
        line += item;
      }
      const int64_t image = first + i;
      if (!truth.empty()) correct += order[0] == truth[static_cast<size_t>(image)];
      if (n <= 10 || image < 5) {
        std::printf(
            "image %lld: top-%d %s%s\n", static_cast<long long>(image), k, line.c_str(),
            truth.empty()
                ? ""
                : (" (label " + std::to_string(truth[static_cast<size_t>(image)]) + ")").c_str());
      }
    }
  }
  if (cycles > 0) {
    std::printf("modeled: %llu cycles over %lld runs\n", static_cast<unsigned long long>(cycles),
                static_cast<long long>(n / per_run));
  }
  if (!truth.empty()) {
    std::printf("accuracy: %.4f (%lld of %lld images)\n",
                static_cast<double>(correct) / static_cast<double>(n),
                static_cast<long long>(correct), static_cast<long long>(n));
  }
  return 0;
}
