// Calibration and test data for a graph: samples read from .npy files (docs/QUANTIZATION.md,
// "Dataset"). A sample is one tensor per graph input, shaped exactly like that input.
#ifndef OPENBPU_COMPILER_QUANTIZATION_DATASET_H_
#define OPENBPU_COMPILER_QUANTIZATION_DATASET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/tensor.h"
#include "compiler/ir/graph.h"

namespace openbpu::quantization {

class Dataset {
 public:
  int num_samples() const { return static_cast<int>(samples_.size()); }
  // One tensor per graph input, in graph input order.
  const std::vector<Tensor>& sample(int i) const { return samples_[i]; }
  // Where sample i came from ("calib/img_003.npy[2]"), for messages.
  const std::string& origin(int i) const { return origins_[i]; }

  // Checks dtype and shape of every tensor against the graph inputs.
  absl::Status Add(const ir::Graph& graph, std::vector<Tensor> sample, std::string origin);

 private:
  std::vector<std::vector<Tensor>> samples_;
  std::vector<std::string> origins_;
};

// Splits one array into samples of an input of shape S (rank r), in order along axis 0:
//   - A.shape == S: one sample;
//   - rank r and A.shape[1:] == S[1:] with A.shape[0] a multiple of S[0]: A.shape[0] / S[0]
//     samples (a batch along axis 0; S[0] is usually 1);
//   - rank r + 1 and A.shape[1:] == S: A.shape[0] samples.
// dtype must equal the input's. Errors name `origin` and the input.
absl::StatusOr<std::vector<Tensor>> SplitSamples(const Tensor& array, const ir::Value& input,
                                                 const std::string& origin);

// Loads a dataset for `graph` from `path`:
//   - a .npy file (single-input graphs): its samples (SplitSamples);
//   - a directory, single-input graph: every *.npy file in it, sorted by name, each one sample or
//     a batch;
//   - a directory, any graph: one subdirectory per input named like the input (every character
//     outside [A-Za-z0-9._-] replaced by '_'), each holding *.npy files sorted by name; or one
//     file <input>.npy per input holding that input's samples. Every input must yield the same
//     number of samples; sample i combines the i-th of each.
// Errors (InvalidArgument / NotFound) name the file and input.
absl::StatusOr<Dataset> LoadDataset(const std::string& path, const ir::Graph& graph);

// The file/subdirectory name used for input `name`.
std::string InputFileName(const std::string& name);

}  // namespace openbpu::quantization

#endif  // OPENBPU_COMPILER_QUANTIZATION_DATASET_H_
