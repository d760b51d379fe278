#include "runtime/server/model_set.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace openbpu::server {

int64_t MaxBatch(const runtime::Model& model) {
  int64_t n = 0;
  auto leads = [&](const std::vector<runtime::TensorInfo>& tensors) {
    for (const runtime::TensorInfo& t : tensors) {
      if (t.valid_shape.size() < 2 || t.aligned_shape.empty()) return false;
      if (n == 0) n = t.valid_shape[0];
      if (t.valid_shape[0] != n || t.aligned_shape[0] != n) return false;
    }
    return true;
  };
  if (model.inputs().empty() || model.outputs().empty()) return 0;
  if (!leads(model.inputs()) || !leads(model.outputs())) return 0;
  return n > 1 ? n : 0;
}

namespace {

// `path` names the model; `bytes`, when not empty, are its contents (else the file is read).
absl::StatusOr<std::shared_ptr<const ServedModel>> LoadFile(const std::string& name,
                                                            const std::string& version,
                                                            const std::string& path,
                                                            absl::Span<const uint8_t> bytes = {}) {
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg =
      bytes.empty() ? runtime::Package::LoadFile(path) : runtime::Package::LoadMemory(bytes);
  if (!pkg.ok()) return pkg.status();
  if ((*pkg)->models().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no model"));
  auto m = std::make_shared<ServedModel>();
  m->name = name;
  m->version = version;
  m->path = path;
  m->model = (*pkg)->models()[0].get();
  m->package = *std::move(pkg);
  m->max_batch = MaxBatch(*m->model);
  return std::shared_ptr<const ServedModel>(std::move(m));
}

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

absl::Status ModelSet::LoadPath(const std::string& name, const std::string& path) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> m = LoadFile(name, "1", path);
  if (!m.ok()) return m.status();
  std::lock_guard<std::mutex> lock(mu_);
  paths_[name] = path;
  models_[name] = *std::move(m);
  reasons_.erase(name);
  return absl::OkStatus();
}

absl::Status ModelSet::LoadBytes(const std::string& name, absl::Span<const uint8_t> bytes) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> m =
      LoadFile(name, "1", absl::StrCat("<built-in ", name, ".hbm>"), bytes);
  if (!m.ok()) return m.status();
  std::lock_guard<std::mutex> lock(mu_);
  bytes_[name] = bytes;
  models_[name] = *std::move(m);
  reasons_.erase(name);
  return absl::OkStatus();
}

std::vector<std::string> ModelSet::RepositoryModels() const {
  std::vector<std::string> names;
  if (repository_.empty()) return names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(repository_, ec)) {
    if (entry.is_directory(ec)) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::string> ModelSet::LatestVersion(const std::string& name) const {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(repository_) / name;
  int64_t best = 0;
  std::string version;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string v = entry.path().filename().string();
    if (!entry.is_directory(ec) || !AllDigits(v)) continue;
    const int64_t n = std::stoll(v);
    if (n >= 1 && n > best && std::filesystem::exists(entry.path() / "model.hbm", ec)) {
      best = n;
      version = v;
    }
  }
  if (version.empty()) {
    return absl::NotFoundError(
        absl::StrCat("model '", name, "': no <version>/model.hbm under ", dir.string()));
  }
  return version;
}

absl::Status ModelSet::Load(const std::string& name) {
  std::string path, version = "1";
  absl::Span<const uint8_t> bytes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = paths_.find(name); it != paths_.end()) path = it->second;
    if (auto it = bytes_.find(name); it != bytes_.end()) {
      bytes = it->second;
      path = absl::StrCat("<built-in ", name, ".hbm>");
    }
  }
  if (path.empty()) {
    if (repository_.empty() || name.empty() || name.find('/') != std::string::npos || name == "." ||
        name == "..") {
      return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
    }
    absl::StatusOr<std::string> v = LatestVersion(name);
    if (!v.ok()) return v.status();
    version = *v;
    path = (std::filesystem::path(repository_) / name / version / "model.hbm").string();
  }
  absl::StatusOr<std::shared_ptr<const ServedModel>> m = LoadFile(name, version, path, bytes);
  std::lock_guard<std::mutex> lock(mu_);
  if (!m.ok()) {
    // A failed (re)load keeps the version already served.
    if (models_.count(name) == 0) reasons_[name] = std::string(m.status().message());
    return absl::Status(m.status().code(), absl::StrCat("model '", name, "' version ", version,
                                                        ": ", m.status().message()));
  }
  models_[name] = *std::move(m);
  reasons_.erase(name);
  return absl::OkStatus();
}

absl::Status ModelSet::Unload(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (models_.erase(name) == 0) {
    return absl::NotFoundError(absl::StrCat("model '", name, "' is not loaded"));
  }
  reasons_[name] = "unloaded";
  return absl::OkStatus();
}

absl::Status ModelSet::LoadRepository() {
  if (repository_.empty()) return absl::OkStatus();
  std::error_code ec;
  if (!std::filesystem::is_directory(repository_, ec)) {
    return absl::NotFoundError(
        absl::StrCat("model repository ", repository_, " is not a directory"));
  }
  for (const std::string& name : RepositoryModels()) {
    if (absl::Status st = Load(name); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const ServedModel>> ModelSet::Find(
    const std::string& name, const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
  }
  if (!version.empty() && version != it->second->version) {
    return absl::NotFoundError(absl::StrCat("model '", name, "' has no version '", version,
                                            "' (it serves version ", it->second->version, ")"));
  }
  return it->second;
}

std::vector<ModelSet::IndexEntry> ModelSet::Index() const {
  std::vector<std::string> names = RepositoryModels();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, m] : models_) names.push_back(name);
  for (const auto& [name, reason] : reasons_) names.push_back(name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<IndexEntry> index;
  for (const std::string& name : names) {
    auto it = models_.find(name);
    if (it != models_.end()) {
      index.push_back({name, it->second->version, "READY", ""});
    } else {
      auto r = reasons_.find(name);
      index.push_back({name, "", "UNAVAILABLE", r != reasons_.end() ? r->second : "not loaded"});
    }
  }
  return index;
}

bool ModelSet::Known(const std::string& name) const {
  for (const IndexEntry& e : Index()) {
    if (e.name == name) return true;
  }
  return false;
}

bool ModelSet::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.empty();
}

}  // namespace openbpu::server
