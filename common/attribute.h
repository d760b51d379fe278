// Op attributes: a small closed set of value kinds mirroring ONNX's (int, float, string, their
// lists, and tensors). Shared by the graph IR (compiler/ir, a node's attributes) and the float
// kernels of common/kernels (what the reference interpreter and the runtime's CPU segments hand
// them).
#ifndef OPENBPU_COMMON_ATTRIBUTE_H_
#define OPENBPU_COMMON_ATTRIBUTE_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tensor.h"

namespace openbpu {

enum class AttrKind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };

absl::string_view AttrKindName(AttrKind kind);

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, std::vector<std::string>, Tensor>;

AttrKind KindOf(const AttrValue& value);

// Ordered by name so dumps and serialized graphs are deterministic.
class AttributeMap {
 public:
  bool Has(absl::string_view name) const { return values_.count(std::string(name)) > 0; }
  void Set(absl::string_view name, AttrValue value) {
    values_[std::string(name)] = std::move(value);
  }
  void Erase(absl::string_view name) { values_.erase(std::string(name)); }
  const std::map<std::string, AttrValue>& all() const { return values_; }
  bool empty() const { return values_.empty(); }

  // Typed reads with a default for absent attributes. A present attribute of the
  // wrong kind returns the default too; the importer checks kinds against the op
  // schema before any kernel reads them.
  int64_t GetInt(absl::string_view name, int64_t default_value) const;
  float GetFloat(absl::string_view name, float default_value) const;
  std::string GetString(absl::string_view name, absl::string_view default_value) const;
  std::vector<int64_t> GetInts(absl::string_view name,
                               std::vector<int64_t> default_value = {}) const;
  std::vector<float> GetFloats(absl::string_view name, std::vector<float> default_value = {}) const;
  const Tensor* GetTensor(absl::string_view name) const;

  bool operator==(const AttributeMap& other) const { return values_ == other.values_; }

 private:
  std::map<std::string, AttrValue> values_;
};

// "[1,2]", "0.5", "\"nearest\"", "tensor<float32[3]>"
std::string AttrValueToString(const AttrValue& value);

}  // namespace openbpu

#endif  // OPENBPU_COMMON_ATTRIBUTE_H_
