#include "compiler/driver/qconfig_file.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "proto/qconfig.pb.h"

namespace openbpu::driver {

absl::Status ApplyQConfigFile(const std::string& path, QuantizeOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open qconfig file ", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  qconfig::QConfigFile file;
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &file, parse);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "qconfig file ", path, ": ", std::string(status.message()),
        " (fields: dtype, observer, int16_ops, unify_concat_scales, hybrid, hybrid_dict "
        "{op_types, node_names}, bias_correction, equalize, select_observer, adaround, "
        "adaround_seed, tune_scales, empirical_bias_correction, high_precision_output)"));
  }
  if (!file.dtype().empty()) options.dtype = file.dtype();
  if (!file.observer().empty()) options.observer = file.observer();
  options.int16_ops.insert(options.int16_ops.end(), file.int16_ops().begin(),
                           file.int16_ops().end());
  if (file.has_unify_concat_scales()) options.unify_concat_scales = file.unify_concat_scales();
  options.hybrid |= file.hybrid();
  if (file.has_bias_correction()) options.bias_correction = file.bias_correction();
  if (file.has_equalize()) options.equalize = file.equalize();
  if (file.has_select_observer()) options.select_observer = file.select_observer();
  if (file.has_adaround()) options.adaround = file.adaround();
  if (file.has_adaround_seed()) options.adaround_seed = file.adaround_seed();
  if (file.has_tune_scales()) options.tune_scales = file.tune_scales();
  if (file.has_empirical_bias_correction()) {
    options.empirical_bias_correction = file.empirical_bias_correction();
  }
  if (file.has_high_precision_output()) {
    options.high_precision_output = file.high_precision_output();
  }
  options.hybrid_ops.insert(options.hybrid_ops.end(), file.hybrid_dict().op_types().begin(),
                            file.hybrid_dict().op_types().end());
  options.hybrid_nodes.insert(options.hybrid_nodes.end(), file.hybrid_dict().node_names().begin(),
                              file.hybrid_dict().node_names().end());
  return absl::OkStatus();
}

}  // namespace openbpu::driver
