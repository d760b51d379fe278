// .npy parsing: magic, version, a Python-dict header with descr/fortran_order/
// shape, then raw little-endian data.
#include "common/npy.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace openbpu {
namespace {

constexpr absl::string_view kMagic = "\x93NUMPY";

struct DescrEntry {
  absl::string_view descr;
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64}, {"|i1", DType::kInt8},
    {"<i2", DType::kInt16},   {"<i4", DType::kInt32},   {"<i8", DType::kInt64},
    {"|u1", DType::kUInt8},   {"|b1", DType::kBool},
};

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed .npy: ", what));
}

// Returns the text of the value for `key` in the header dict: a quoted string,
// a parenthesized tuple, or a bare word such as False.
absl::StatusOr<absl::string_view> HeaderValue(absl::string_view header, absl::string_view key) {
  std::string quoted = absl::StrCat("'", key, "'");
  size_t pos = header.find(quoted);
  if (pos == absl::string_view::npos) return Invalid(absl::StrCat("header has no ", key));
  pos = header.find(':', pos + quoted.size());
  if (pos == absl::string_view::npos) return Invalid(absl::StrCat("no value for ", key));
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) return Invalid(absl::StrCat("no value for ", key));
  size_t end;
  if (header[pos] == '(' || header[pos] == '\'') {
    const char close = header[pos] == '(' ? ')' : '\'';
    end = header.find(close, pos + 1);
    if (end == absl::string_view::npos) return Invalid(absl::StrCat("unterminated ", key));
    ++end;
  } else {
    end = header.find_first_of(",}", pos);
    if (end == absl::string_view::npos) return Invalid(absl::StrCat("unterminated ", key));
  }
  return absl::StripAsciiWhitespace(header.substr(pos, end - pos));
}

}  // namespace

absl::StatusOr<Tensor> ParseNpy(absl::string_view bytes) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic) return Invalid("bad magic");
  const uint8_t major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0;
  size_t offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return Invalid("truncated header length");
    header_len = 0;
    for (int i = 0; i < 4; ++i) {
      header_len |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    }
    offset = 12;
  } else {
    return Invalid(absl::StrCat("unsupported version ", static_cast<int>(major)));
  }
  if (header_len > bytes.size() - offset) return Invalid("truncated header");
  absl::string_view header = bytes.substr(offset, header_len);
  offset += header_len;

  absl::StatusOr<absl::string_view> descr = HeaderValue(header, "descr");
  if (!descr.ok()) return descr.status();
  absl::string_view d = absl::StripSuffix(absl::StripPrefix(*descr, "'"), "'");
  DType dtype = DType::kInvalid;
  for (const DescrEntry& e : kDescrs) {
    if (e.descr == d) dtype = e.dtype;
  }
  // Single-byte types may also be written with '<' or '='.
  if (dtype == DType::kInvalid && d.size() == 3 && (d[0] == '<' || d[0] == '=')) {
    for (const DescrEntry& e : kDescrs) {
      if (e.descr[0] == '|' && e.descr.substr(1) == d.substr(1)) dtype = e.dtype;
    }
  }
  if (dtype == DType::kInvalid) return Invalid(absl::StrCat("unsupported descr '", d, "'"));

  absl::StatusOr<absl::string_view> fortran = HeaderValue(header, "fortran_order");
  if (!fortran.ok()) return fortran.status();
  if (*fortran != "False") return Invalid("Fortran-order arrays are not supported");

  absl::StatusOr<absl::string_view> shape_text = HeaderValue(header, "shape");
  if (!shape_text.ok()) return shape_text.status();
  absl::string_view inner = *shape_text;
  if (inner.size() < 2 || inner.front() != '(' || inner.back() != ')') return Invalid("bad shape");
  inner = inner.substr(1, inner.size() - 2);
  Shape shape;
  int64_t count = 1;
  for (absl::string_view part : absl::StrSplit(inner, ',', absl::SkipWhitespace())) {
    int64_t dim = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &dim) || dim < 0) {
      return Invalid(absl::StrCat("bad dimension '", part, "'"));
    }
    if (dim > 0 && count > (int64_t{1} << 40) / dim) return Invalid("shape too large");
    count *= dim;
    shape.push_back(dim);
  }
  const size_t need = static_cast<size_t>(count) * DTypeSize(dtype);
  if (bytes.size() - offset < need) {
    return Invalid(absl::StrCat("data holds ", bytes.size() - offset, " bytes, shape ",
                                ShapeToString(shape), " needs ", need));
  }
  Tensor tensor(dtype, shape);
  if (need > 0) std::memcpy(tensor.raw(), bytes.data() + offset, need);
  if (dtype == DType::kBool) {
    for (int64_t i = 0; i < count; ++i) tensor.raw()[i] = tensor.raw()[i] != 0;
  }
  return tensor;
}

absl::StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<Tensor> t = ParseNpy(buffer.str());
  if (!t.ok())
    return absl::Status(t.status().code(), absl::StrCat(path, ": ", t.status().message()));
  return t;
}

std::string SerializeNpy(const Tensor& tensor) {
  absl::string_view descr = "<f4";
  for (const DescrEntry& e : kDescrs) {
    if (e.dtype == tensor.dtype()) descr = e.descr;
  }
  std::string shape =
      absl::StrCat("(", absl::StrJoin(tensor.shape(), ", "), tensor.rank() == 1 ? ",)" : ")");
  std::string header =
      absl::StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad so that magic + version + length + header + '\n' is a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kMagic);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(tensor.raw()), tensor.num_bytes());
  return out;
}

absl::Status WriteNpy(const std::string& path, const Tensor& tensor) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  std::string bytes = SerializeNpy(tensor);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::InternalError(absl::StrCat("write failed: ", path));
  return absl::OkStatus();
}

}  // namespace openbpu
