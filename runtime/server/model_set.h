// The models a server serves: a Triton model repository (<repo>/<model>/<version>/model.hbm) and
// models given by name and path, loaded, reloaded and unloaded while requests run.
#ifndef OPENBPU_RUNTIME_SERVER_MODEL_SET_H_
#define OPENBPU_RUNTIME_SERVER_MODEL_SET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "runtime/runtime.h"

namespace openbpu::server {

// One loaded model version: kept alive by the requests running on it when it is unloaded or
// replaced.
struct ServedModel {
  std::string name, version, path;
  std::unique_ptr<runtime::Package> package;
  const runtime::Model* model = nullptr;
  // The batch the server forms for it (dynamic batching): N when the model was compiled with
  // `--batch N` (N > 1: every input and output leads with N, in its model and stored shapes);
  // 0 when requests carry the model's whole shapes.
  int64_t max_batch = 0;
};

// The batch `model` is served with (ServedModel::max_batch).
int64_t MaxBatch(const runtime::Model& model);

// Which versions of a repository model are served (Triton's version_policy): the `latest` N
// (default 1), `all`, or `specific` ones.
struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t latest = 1;
  std::vector<int64_t> versions;  // kSpecific
  std::string ToString() const;
};
// "latest", "latest:N", "all" or "specific:V1,V2,...".
absl::StatusOr<VersionPolicy> ParseVersionPolicy(const std::string& text);

// The models a server serves. Thread-safe: loads, reloads and unloads swap entries while
// requests hold the versions they started on.
class ModelSet {
 public:
  explicit ModelSet(std::string repository = "", VersionPolicy policy = {})
      : repository_(std::move(repository)), policy_(std::move(policy)) {}

  // A model outside the repository (version "1"), reloadable from the same path.
  absl::Status LoadPath(const std::string& name, const std::string& path);
  // A model from memory (version "1"; the bytes outlive the set), reloadable from them.
  absl::Status LoadBytes(const std::string& name, absl::Span<const uint8_t> bytes);
  // (Re)loads `name`: the repository versions the policy selects, or a LoadPath / LoadBytes
  // model again. All or nothing: when a selected version fails to load, the versions already
  // served keep serving. NOT_FOUND when there is no such model.
  absl::Status Load(const std::string& name);
  // Stops serving `name` (requests running on it finish). NOT_FOUND when it is not loaded.
  absl::Status Unload(const std::string& name);
  // Every model of the repository (loaded or not) and every loaded one.
  absl::Status LoadRepository();
  // NOT_FOUND naming the model (and version: "" for the highest served one).
  absl::StatusOr<std::shared_ptr<const ServedModel>> Find(const std::string& name,
                                                          const std::string& version) const;
  // The versions of `name` being served, ascending (empty: none).
  std::vector<std::string> Versions(const std::string& name) const;
  const VersionPolicy& policy() const { return policy_; }
  struct IndexEntry {
    std::string name, version, state, reason;
  };
  std::vector<IndexEntry> Index() const;
  // A model the repository has (or had loaded) but that is not serving now.
  bool Known(const std::string& name) const;
  bool empty() const;

 private:
  // The repository's versions of `name` (directories with a model.hbm) the policy selects.
  absl::StatusOr<std::vector<int64_t>> SelectedVersions(const std::string& name) const;
  std::vector<std::string> RepositoryModels() const;

  std::string repository_;
  VersionPolicy policy_;
  mutable std::mutex mu_;
  // name -> version -> the loaded model
  std::map<std::string, std::map<int64_t, std::shared_ptr<const ServedModel>>> models_;
  std::map<std::string, std::string> paths_;                // LoadPath models
  std::map<std::string, absl::Span<const uint8_t>> bytes_;  // LoadBytes models
  std::map<std::string, std::string> reasons_;              // why a known model is not serving
};

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_MODEL_SET_H_
