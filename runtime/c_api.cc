// The C API (c_api.h) over the C++ runtime (runtime.h). Errors: a code per call and the message
// in a thread-local string. Tasks run on their own thread; a future carries the result.
#include "runtime/c_api.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "runtime/runtime.h"

struct obpu_model {
  const openbpu::runtime::Model* model = nullptr;
};

struct obpu_package {
  std::vector<std::unique_ptr<openbpu::runtime::Package>> packages;
  std::vector<obpu_model> models;  // every model of every file, in file order
  std::vector<const char*> names;
};

struct obpu_task {
  std::future<absl::Status> done;
  openbpu::runtime::RunStats stats;
  bool finished = false;
  absl::Status status;
};

namespace {

using openbpu::DType;
namespace rt = openbpu::runtime;

thread_local std::string last_error;

obpu_status Fail(obpu_status code, const std::string& message) {
  last_error = message;
  return code;
}

obpu_status FromStatus(const absl::Status& st, obpu_status run_code = OBPU_ERR_INTERNAL) {
  if (st.ok()) return OBPU_OK;
  obpu_status code = run_code;
  switch (st.code()) {
    case absl::StatusCode::kNotFound:
      code = OBPU_ERR_NOT_FOUND;
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kUnimplemented:
      code = run_code == OBPU_ERR_BAD_FILE ? OBPU_ERR_BAD_FILE : OBPU_ERR_INVALID_ARGUMENT;
      break;
    default:
      break;
  }
  return Fail(code, std::string(st.message()));
}

int32_t CDType(DType d) {
  switch (d) {
    case DType::kInt8:
      return OBPU_DTYPE_INT8;
    case DType::kInt16:
      return OBPU_DTYPE_INT16;
    case DType::kInt32:
      return OBPU_DTYPE_INT32;
    case DType::kBool:
      return OBPU_DTYPE_BOOL;
    case DType::kInt64:
      return OBPU_DTYPE_INT64;
    default:
      return OBPU_DTYPE_FLOAT32;
  }
}

obpu_status Describe(obpu_tensor_properties* p, const rt::TensorInfo& t) {
  if (t.valid_shape.size() > OBPU_MAX_DIMS) {
    return Fail(OBPU_ERR_INTERNAL,
                absl::StrCat("tensor '", t.name, "' has more than ", OBPU_MAX_DIMS, " dimensions"));
  }
  std::memset(p, 0, sizeof(*p));
  p->name = t.name.c_str();
  p->dtype = CDType(t.dtype);
  p->layout = t.layout == rt::Layout::kNCHW ? OBPU_LAYOUT_NCHW : OBPU_LAYOUT_NHWC;
  p->quant_type = t.quant_type == rt::QuantType::kScale ? OBPU_QUANT_SCALE : OBPU_QUANT_NONE;
  p->num_dims = static_cast<int32_t>(t.valid_shape.size());
  for (size_t i = 0; i < t.valid_shape.size(); ++i) {
    p->valid_shape[i] = t.valid_shape[i];
    p->aligned_shape[i] = i < t.aligned_shape.size() ? t.aligned_shape[i] : 0;
  }
  p->num_scales = static_cast<int32_t>(t.scales.size());
  p->scales = t.scales.data();
  p->quant_axis = t.axis;
  p->bytes = t.bytes;
  return OBPU_OK;
}

#define OBPU_CHECK_ARG(cond, what) \
  if (!(cond)) return Fail(OBPU_ERR_INVALID_ARGUMENT, what)

}  // namespace

extern "C" {

const char* obpu_last_error(void) { return last_error.c_str(); }

const char* obpu_status_name(obpu_status status) {
  switch (status) {
    case OBPU_OK:
      return "OBPU_OK";
    case OBPU_ERR_INVALID_ARGUMENT:
      return "OBPU_ERR_INVALID_ARGUMENT";
    case OBPU_ERR_NOT_FOUND:
      return "OBPU_ERR_NOT_FOUND";
    case OBPU_ERR_BAD_FILE:
      return "OBPU_ERR_BAD_FILE";
    case OBPU_ERR_TIMEOUT:
      return "OBPU_ERR_TIMEOUT";
    case OBPU_ERR_RUN_FAILED:
      return "OBPU_ERR_RUN_FAILED";
    case OBPU_ERR_INTERNAL:
      return "OBPU_ERR_INTERNAL";
    default:
      return "unknown obpu_status";
  }
}

obpu_status obpu_init_from_files(obpu_package** package, const char** files, int32_t count) {
  OBPU_CHECK_ARG(package != nullptr, "obpu_init_from_files: package is null");
  *package = nullptr;
  OBPU_CHECK_ARG(files != nullptr && count > 0, "obpu_init_from_files: no files");
  auto pkg = std::make_unique<obpu_package>();
  for (int32_t i = 0; i < count; ++i) {
    OBPU_CHECK_ARG(files[i] != nullptr, absl::StrCat("obpu_init_from_files: file ", i, " is null"));
    absl::StatusOr<std::unique_ptr<rt::Package>> p = rt::Package::LoadFile(files[i]);
    if (!p.ok()) return FromStatus(p.status(), OBPU_ERR_BAD_FILE);
    for (const auto& m : (*p)->models()) {
      for (const obpu_model& have : pkg->models) {
        if (have.model->name() == m->name()) {
          return Fail(OBPU_ERR_BAD_FILE, absl::StrCat(files[i], ": model '", m->name(),
                                                      "' is already loaded from an earlier file"));
        }
      }
      pkg->models.push_back({m.get()});
    }
    pkg->packages.push_back(*std::move(p));
  }
  for (const obpu_model& m : pkg->models) pkg->names.push_back(m.model->name().c_str());
  *package = pkg.release();
  return OBPU_OK;
}

obpu_status obpu_get_model_names(const char*** names, int32_t* count, obpu_package* package) {
  OBPU_CHECK_ARG(names != nullptr && count != nullptr && package != nullptr,
                 "obpu_get_model_names: a null argument");
  *names = package->names.data();
  *count = static_cast<int32_t>(package->names.size());
  return OBPU_OK;
}

obpu_status obpu_get_model(obpu_model** model, obpu_package* package, const char* name) {
  OBPU_CHECK_ARG(model != nullptr && package != nullptr && name != nullptr,
                 "obpu_get_model: a null argument");
  std::string have;
  for (obpu_model& m : package->models) {
    if (m.model->name() == name) {
      *model = &m;
      return OBPU_OK;
    }
    absl::StrAppend(&have, have.empty() ? "" : ", ", m.model->name());
  }
  return Fail(OBPU_ERR_NOT_FOUND, absl::StrCat("no model '", name, "' (loaded: ", have, ")"));
}

obpu_status obpu_get_input_count(int32_t* count, const obpu_model* model) {
  OBPU_CHECK_ARG(count != nullptr && model != nullptr, "obpu_get_input_count: a null argument");
  *count = static_cast<int32_t>(model->model->inputs().size());
  return OBPU_OK;
}

obpu_status obpu_get_output_count(int32_t* count, const obpu_model* model) {
  OBPU_CHECK_ARG(count != nullptr && model != nullptr, "obpu_get_output_count: a null argument");
  *count = static_cast<int32_t>(model->model->outputs().size());
  return OBPU_OK;
}

obpu_status obpu_get_input_properties(obpu_tensor_properties* properties, const obpu_model* model,
                                      int32_t index) {
  OBPU_CHECK_ARG(properties != nullptr && model != nullptr,
                 "obpu_get_input_properties: a null argument");
  const auto& inputs = model->model->inputs();
  OBPU_CHECK_ARG(index >= 0 && index < static_cast<int32_t>(inputs.size()),
                 absl::StrCat("obpu_get_input_properties: index ", index, " outside [0, ",
                              inputs.size(), ")"));
  return Describe(properties, inputs[static_cast<size_t>(index)]);
}

obpu_status obpu_get_output_properties(obpu_tensor_properties* properties, const obpu_model* model,
                                       int32_t index) {
  OBPU_CHECK_ARG(properties != nullptr && model != nullptr,
                 "obpu_get_output_properties: a null argument");
  const auto& outputs = model->model->outputs();
  OBPU_CHECK_ARG(index >= 0 && index < static_cast<int32_t>(outputs.size()),
                 absl::StrCat("obpu_get_output_properties: index ", index, " outside [0, ",
                              outputs.size(), ")"));
  return Describe(properties, outputs[static_cast<size_t>(index)]);
}

obpu_status obpu_alloc_tensor(obpu_tensor* tensor, const obpu_tensor_properties* properties) {
  OBPU_CHECK_ARG(tensor != nullptr && properties != nullptr, "obpu_alloc_tensor: a null argument");
  tensor->data = std::calloc(properties->bytes > 0 ? properties->bytes : 1, 1);
  if (tensor->data == nullptr) {
    return Fail(OBPU_ERR_INTERNAL,
                absl::StrCat("obpu_alloc_tensor: out of memory for ", properties->bytes, " bytes"));
  }
  tensor->bytes = properties->bytes;
  tensor->properties = *properties;
  return OBPU_OK;
}

obpu_status obpu_free_tensor(obpu_tensor* tensor) {
  OBPU_CHECK_ARG(tensor != nullptr, "obpu_free_tensor: tensor is null");
  std::free(tensor->data);
  tensor->data = nullptr;
  tensor->bytes = 0;
  return OBPU_OK;
}

obpu_status obpu_infer(obpu_task** task, obpu_tensor* outputs, int32_t output_count,
                       const obpu_tensor* inputs, int32_t input_count, obpu_model* model,
                       const obpu_infer_params* params) {
  OBPU_CHECK_ARG(task != nullptr && model != nullptr, "obpu_infer: task or model is null");
  *task = nullptr;
  const rt::Model& m = *model->model;
  OBPU_CHECK_ARG(input_count == static_cast<int32_t>(m.inputs().size()) &&
                     (input_count == 0 || inputs != nullptr),
                 absl::StrCat("obpu_infer: model '", m.name(), "' has ", m.inputs().size(),
                              " inputs; got ", input_count));
  OBPU_CHECK_ARG(output_count == static_cast<int32_t>(m.outputs().size()) &&
                     (output_count == 0 || outputs != nullptr),
                 absl::StrCat("obpu_infer: model '", m.name(), "' has ", m.outputs().size(),
                              " outputs; got ", output_count));
  rt::RunOptions options;
  if (params != nullptr) {
    OBPU_CHECK_ARG(params->backend >= OBPU_BACKEND_FUNC && params->backend <= OBPU_BACKEND_BOTH,
                   absl::StrCat("obpu_infer: unknown backend ", params->backend));
    options.backend = params->backend == OBPU_BACKEND_PERF   ? rt::Backend::kTiming
                      : params->backend == OBPU_BACKEND_BOTH ? rt::Backend::kBoth
                                                             : rt::Backend::kFunctional;
  }
  std::vector<absl::Span<const uint8_t>> in;
  for (int32_t i = 0; i < input_count; ++i) {
    const rt::TensorInfo& info = m.inputs()[static_cast<size_t>(i)];
    OBPU_CHECK_ARG(inputs[i].data != nullptr && inputs[i].bytes == info.bytes,
                   absl::StrCat("obpu_infer: input ", i, " '", info.name, "' must be ", info.bytes,
                                " bytes; got ", inputs[i].bytes,
                                inputs[i].data == nullptr ? " (no data)" : ""));
    in.emplace_back(static_cast<const uint8_t*>(inputs[i].data), inputs[i].bytes);
  }
  std::vector<absl::Span<uint8_t>> out;
  for (int32_t i = 0; i < output_count; ++i) {
    const rt::TensorInfo& info = m.outputs()[static_cast<size_t>(i)];
    OBPU_CHECK_ARG(outputs[i].data != nullptr && outputs[i].bytes == info.bytes,
                   absl::StrCat("obpu_infer: output ", i, " '", info.name, "' must be ", info.bytes,
                                " bytes; got ", outputs[i].bytes,
                                outputs[i].data == nullptr ? " (no data)" : ""));
    out.emplace_back(static_cast<uint8_t*>(outputs[i].data), outputs[i].bytes);
  }
  auto t = std::make_unique<obpu_task>();
  obpu_task* raw = t.get();
  try {
    raw->done = std::async(std::launch::async, [&m, in, out, options, raw]() -> absl::Status {
      absl::StatusOr<std::vector<std::vector<uint8_t>>> result = m.RunRaw(in, options, &raw->stats);
      if (!result.ok()) return result.status();
      for (size_t i = 0; i < result->size() && i < out.size(); ++i) {
        std::memcpy(out[i].data(), (*result)[i].data(), out[i].size());
      }
      return absl::OkStatus();
    });
  } catch (const std::exception& e) {
    return Fail(OBPU_ERR_INTERNAL, absl::StrCat("obpu_infer: cannot start the task: ", e.what()));
  }
  *task = t.release();
  return OBPU_OK;
}

obpu_status obpu_wait(obpu_task* task, int32_t timeout_ms) {
  OBPU_CHECK_ARG(task != nullptr, "obpu_wait: task is null");
  if (!task->finished) {
    if (timeout_ms >= 0 &&
        task->done.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
      return Fail(OBPU_ERR_TIMEOUT,
                  absl::StrCat("obpu_wait: the task is still running after ", timeout_ms, " ms"));
    }
    task->status = task->done.get();
    task->finished = true;
  }
  if (!task->status.ok()) {
    return Fail(OBPU_ERR_RUN_FAILED, std::string(task->status.message()));
  }
  return OBPU_OK;
}

obpu_status obpu_task_cycles(uint64_t* cycles, obpu_task* task) {
  OBPU_CHECK_ARG(cycles != nullptr && task != nullptr, "obpu_task_cycles: a null argument");
  OBPU_CHECK_ARG(task->finished, "obpu_task_cycles: the task has not been waited out");
  *cycles = task->stats.cycles;
  return OBPU_OK;
}

obpu_status obpu_release_task(obpu_task* task) {
  OBPU_CHECK_ARG(task != nullptr, "obpu_release_task: task is null");
  if (!task->finished && task->done.valid()) task->done.wait();
  delete task;
  return OBPU_OK;
}

obpu_status obpu_release(obpu_package* package) {
  OBPU_CHECK_ARG(package != nullptr, "obpu_release: package is null");
  delete package;
  return OBPU_OK;
}

}  // extern "C"
