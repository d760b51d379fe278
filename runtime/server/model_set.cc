#include "runtime/server/model_set.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

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

std::string VersionPolicy::ToString() const {
  switch (kind) {
    case Kind::kAll:
      return "all";
    case Kind::kSpecific:
      return absl::StrCat("specific:", absl::StrJoin(versions, ","));
    default:
      return latest == 1 ? "latest" : absl::StrCat("latest:", latest);
  }
}

absl::StatusOr<VersionPolicy> ParseVersionPolicy(const std::string& text) {
  VersionPolicy p;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "version policy '", text, "': give latest, latest:N, all or specific:V1,V2,..."));
  };
  auto number = [](const std::string& s, int64_t* out) {
    if (!AllDigits(s)) return false;
    *out = std::stoll(s);
    return *out >= 1;
  };
  if (text == "latest" || text.empty()) return p;
  if (text == "all") {
    p.kind = VersionPolicy::Kind::kAll;
    return p;
  }
  if (text.rfind("latest:", 0) == 0) {
    if (!number(text.substr(7), &p.latest)) return bad();
    return p;
  }
  if (text.rfind("specific:", 0) == 0) {
    p.kind = VersionPolicy::Kind::kSpecific;
    for (const std::string& v : std::vector<std::string>(absl::StrSplit(text.substr(9), ','))) {
      int64_t n = 0;
      if (!number(v, &n)) return bad();
      p.versions.push_back(n);
    }
    std::sort(p.versions.begin(), p.versions.end());
    p.versions.erase(std::unique(p.versions.begin(), p.versions.end()), p.versions.end());
    return p;
  }
  return bad();
}

absl::Status ModelSet::LoadPath(const std::string& name, const std::string& path) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> m = LoadFile(name, "1", path);
  if (!m.ok()) return m.status();
  std::lock_guard<std::mutex> lock(mu_);
  paths_[name] = path;
  models_[name] = {{1, *std::move(m)}};
  reasons_.erase(name);
  return absl::OkStatus();
}

absl::Status ModelSet::LoadBytes(const std::string& name, absl::Span<const uint8_t> bytes) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> m =
      LoadFile(name, "1", absl::StrCat("<built-in ", name, ".hbm>"), bytes);
  if (!m.ok()) return m.status();
  std::lock_guard<std::mutex> lock(mu_);
  bytes_[name] = bytes;
  models_[name] = {{1, *std::move(m)}};
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

absl::StatusOr<std::vector<int64_t>> ModelSet::SelectedVersions(const std::string& name) const {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(repository_) / name;
  std::vector<int64_t> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string v = entry.path().filename().string();
    if (!entry.is_directory(ec) || !AllDigits(v)) continue;
    const int64_t n = std::stoll(v);
    if (n >= 1 && std::filesystem::exists(entry.path() / "model.hbm", ec)) found.push_back(n);
  }
  std::sort(found.begin(), found.end());
  if (found.empty()) {
    return absl::NotFoundError(
        absl::StrCat("model '", name, "': no <version>/model.hbm under ", dir.string()));
  }
  switch (policy_.kind) {
    case VersionPolicy::Kind::kAll:
      return found;
    case VersionPolicy::Kind::kSpecific:
      for (int64_t v : policy_.versions) {
        if (!std::binary_search(found.begin(), found.end(), v)) {
          return absl::NotFoundError(
              absl::StrCat("model '", name, "': version ", v, " (version policy ",
                           policy_.ToString(), ") has no ", v, "/model.hbm under ", dir.string()));
        }
      }
      return policy_.versions;
    default:
      if (static_cast<int64_t>(found.size()) > policy_.latest) {
        found.erase(found.begin(), found.end() - policy_.latest);
      }
      return found;
  }
}

absl::Status ModelSet::Load(const std::string& name) {
  std::string path;
  absl::Span<const uint8_t> bytes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = paths_.find(name); it != paths_.end()) path = it->second;
    if (auto it = bytes_.find(name); it != bytes_.end()) {
      bytes = it->second;
      path = absl::StrCat("<built-in ", name, ".hbm>");
    }
  }
  // The versions to load and their files.
  std::vector<std::pair<int64_t, std::string>> wanted;
  if (!path.empty()) {
    wanted.emplace_back(1, path);
  } else {
    if (repository_.empty() || name.empty() || name.find('/') != std::string::npos || name == "." ||
        name == "..") {
      return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
    }
    absl::StatusOr<std::vector<int64_t>> versions = SelectedVersions(name);
    if (!versions.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (models_.count(name) == 0) reasons_[name] = std::string(versions.status().message());
      return versions.status();
    }
    for (int64_t v : *versions) {
      wanted.emplace_back(
          v,
          (std::filesystem::path(repository_) / name / std::to_string(v) / "model.hbm").string());
    }
  }
  std::map<int64_t, std::shared_ptr<const ServedModel>> loaded;
  for (const auto& [v, file] : wanted) {
    absl::StatusOr<std::shared_ptr<const ServedModel>> m =
        LoadFile(name, std::to_string(v), file, bytes);
    if (!m.ok()) {
      // All or nothing: the versions already served keep serving.
      std::lock_guard<std::mutex> lock(mu_);
      if (models_.count(name) == 0) reasons_[name] = std::string(m.status().message());
      return absl::Status(m.status().code(), absl::StrCat("model '", name, "' version ", v, ": ",
                                                          m.status().message()));
    }
    loaded[v] = *std::move(m);
  }
  std::lock_guard<std::mutex> lock(mu_);
  models_[name] = std::move(loaded);
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
  if (it == models_.end() || it->second.empty()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
  }
  const auto& versions = it->second;
  if (version.empty()) return versions.rbegin()->second;  // the highest
  if (AllDigits(version)) {
    auto v = versions.find(std::stoll(version));
    if (v != versions.end()) return v->second;
  }
  std::vector<int64_t> served;
  for (const auto& [v, m] : versions) served.push_back(v);
  return absl::NotFoundError(absl::StrCat("model '", name, "' has no version '", version,
                                          "' (it serves version", served.size() > 1 ? "s " : " ",
                                          absl::StrJoin(served, ", "), ")"));
}

std::vector<std::string> ModelSet::Versions(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  if (auto it = models_.find(name); it != models_.end()) {
    for (const auto& [v, m] : it->second) out.push_back(std::to_string(v));
  }
  return out;
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
    if (it != models_.end() && !it->second.empty()) {
      for (const auto& [v, m] : it->second) index.push_back({name, m->version, "READY", ""});
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
