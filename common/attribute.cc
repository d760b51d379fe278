// Attribute kinds, typed reads and printing.
#include "common/attribute.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace openbpu {

absl::string_view AttrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kInt:
      return "int";
    case AttrKind::kFloat:
      return "float";
    case AttrKind::kString:
      return "string";
    case AttrKind::kInts:
      return "ints";
    case AttrKind::kFloats:
      return "floats";
    case AttrKind::kStrings:
      return "strings";
    case AttrKind::kTensor:
      return "tensor";
  }
  return "?";
}

AttrKind KindOf(const AttrValue& value) { return static_cast<AttrKind>(value.index()); }

namespace {
template <typename T>
const T* Find(const std::map<std::string, AttrValue>& values, absl::string_view name) {
  auto it = values.find(std::string(name));
  if (it == values.end()) return nullptr;
  return std::get_if<T>(&it->second);
}
}  // namespace

int64_t AttributeMap::GetInt(absl::string_view name, int64_t default_value) const {
  const int64_t* v = Find<int64_t>(values_, name);
  return v ? *v : default_value;
}

float AttributeMap::GetFloat(absl::string_view name, float default_value) const {
  const float* v = Find<float>(values_, name);
  return v ? *v : default_value;
}

std::string AttributeMap::GetString(absl::string_view name, absl::string_view default_value) const {
  const std::string* v = Find<std::string>(values_, name);
  return v ? *v : std::string(default_value);
}

std::vector<int64_t> AttributeMap::GetInts(absl::string_view name,
                                           std::vector<int64_t> default_value) const {
  const std::vector<int64_t>* v = Find<std::vector<int64_t>>(values_, name);
  return v ? *v : default_value;
}

std::vector<float> AttributeMap::GetFloats(absl::string_view name,
                                           std::vector<float> default_value) const {
  const std::vector<float>* v = Find<std::vector<float>>(values_, name);
  return v ? *v : default_value;
}

const Tensor* AttributeMap::GetTensor(absl::string_view name) const {
  return Find<Tensor>(values_, name);
}

std::string AttrValueToString(const AttrValue& value) {
  struct Printer {
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(float v) const { return absl::StrCat(v); }
    std::string operator()(const std::string& v) const { return absl::StrCat("\"", v, "\""); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ","), "]");
    }
    std::string operator()(const std::vector<float>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ","), "]");
    }
    std::string operator()(const std::vector<std::string>& v) const {
      return absl::StrCat("[\"", absl::StrJoin(v, "\",\""), "\"]");
    }
    std::string operator()(const Tensor& t) const {
      return absl::StrCat("tensor<", DTypeName(t.dtype()), ShapeToString(t.shape()), ">");
    }
  };
  return std::visit(Printer{}, value);
}

}  // namespace openbpu
