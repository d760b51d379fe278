/* The OpenBPU runtime's C API, in the shape of the vendor's board runtime (hbDNN): initialize
 * from .hbm files, list model names, get a model handle, count and describe its inputs and
 * outputs (valid / aligned shape, layout, quantization type, scales), allocate tensors, infer
 * (asynchronously: a task handle), wait with a timeout, release.
 *
 * Every call returns an obpu_status: OBPU_OK (0) or a negative error code; obpu_last_error()
 * gives the message of the calling thread's last failed call, obpu_status_name() the code's name.
 * Inference is on raw tensors: inputs hold the stored integers in each input's layout (quantize
 * with the scales of obpu_get_input_properties: q = round(x / scale)), outputs likewise
 * (x = q * scale). Handles are thread-safe; a task's tensors must stay valid until it is waited
 * out (or released, which waits for it). */
#ifndef OPENBPU_RUNTIME_C_API_H_
#define OPENBPU_RUNTIME_C_API_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t obpu_status;
enum {
  OBPU_OK = 0,
  OBPU_ERR_INVALID_ARGUMENT = -1, /* a null pointer, bad index, wrong tensor size */
  OBPU_ERR_NOT_FOUND = -2,        /* no such file or model */
  OBPU_ERR_BAD_FILE = -3,         /* corrupt, truncated, wrong version or march */
  OBPU_ERR_TIMEOUT = -4,          /* obpu_wait: the task is not done yet */
  OBPU_ERR_RUN_FAILED = -5,       /* the inference failed (the message says why) */
  OBPU_ERR_INTERNAL = -6
};

typedef struct obpu_package obpu_package; /* the models of one or more .hbm files */
typedef struct obpu_model obpu_model;     /* one model; owned by its package */
typedef struct obpu_task obpu_task;       /* one inference in flight */

enum {
  OBPU_DTYPE_INT8 = 0,
  OBPU_DTYPE_INT16 = 1,
  OBPU_DTYPE_INT32 = 2,
  OBPU_DTYPE_FLOAT32 = 3,
  OBPU_DTYPE_BOOL = 4,
  OBPU_DTYPE_INT64 = 5
};
enum { OBPU_LAYOUT_NHWC = 0, OBPU_LAYOUT_NCHW = 1 };
enum { OBPU_QUANT_NONE = 0, OBPU_QUANT_SCALE = 1 };
enum { OBPU_BACKEND_FUNC = 0, OBPU_BACKEND_PERF = 1, OBPU_BACKEND_BOTH = 2 };

#define OBPU_MAX_DIMS 8

typedef struct {
  const char* name; /* valid while the package lives */
  int32_t dtype;    /* OBPU_DTYPE_* of the stored elements */
  int32_t layout;   /* OBPU_LAYOUT_* of the stored bytes */
  int32_t quant_type;
  int32_t num_dims;
  int64_t valid_shape[OBPU_MAX_DIMS];   /* the model's shape (its ONNX dimension order) */
  int64_t aligned_shape[OBPU_MAX_DIMS]; /* as stored, in `layout` order */
  int32_t num_scales;
  const float* scales; /* valid while the package lives */
  int32_t quant_axis;
  uint64_t bytes; /* of the stored tensor */
} obpu_tensor_properties;

typedef struct {
  void* data;
  uint64_t bytes;
  obpu_tensor_properties properties;
} obpu_tensor;

typedef struct {
  int32_t backend; /* OBPU_BACKEND_* (default 0: the functional simulator) */
} obpu_infer_params;

const char* obpu_last_error(void);
const char* obpu_status_name(obpu_status status);

obpu_status obpu_init_from_files(obpu_package** package, const char** files, int32_t count);
obpu_status obpu_get_model_names(const char*** names, int32_t* count, obpu_package* package);
obpu_status obpu_get_model(obpu_model** model, obpu_package* package, const char* name);
obpu_status obpu_get_input_count(int32_t* count, const obpu_model* model);
obpu_status obpu_get_output_count(int32_t* count, const obpu_model* model);
obpu_status obpu_get_input_properties(obpu_tensor_properties* properties, const obpu_model* model,
                                      int32_t index);
obpu_status obpu_get_output_properties(obpu_tensor_properties* properties, const obpu_model* model,
                                       int32_t index);

/* Allocates properties->bytes (zeroed) for `tensor` and copies the properties into it. */
obpu_status obpu_alloc_tensor(obpu_tensor* tensor, const obpu_tensor_properties* properties);
obpu_status obpu_free_tensor(obpu_tensor* tensor);

/* Starts an inference of `model` on `inputs` (input_count tensors, model order) writing
 * `outputs` (output_count tensors); `params` may be null. */
obpu_status obpu_infer(obpu_task** task, obpu_tensor* outputs, int32_t output_count,
                       const obpu_tensor* inputs, int32_t input_count, obpu_model* model,
                       const obpu_infer_params* params);
/* Waits up to timeout_ms (< 0: forever) for the task: OBPU_OK when it finished and succeeded,
 * OBPU_ERR_TIMEOUT when it is still running (wait again), OBPU_ERR_RUN_FAILED when it failed.
 * Tasks may be waited in any order. */
obpu_status obpu_wait(obpu_task* task, int32_t timeout_ms);
/* The modeled latency of a finished task run with OBPU_BACKEND_PERF or _BOTH. */
obpu_status obpu_task_cycles(uint64_t* cycles, obpu_task* task);
/* Waits for the task if it is still running, then frees it. */
obpu_status obpu_release_task(obpu_task* task);
obpu_status obpu_release(obpu_package* package);

#ifdef __cplusplus
}
#endif

#endif /* OPENBPU_RUNTIME_C_API_H_ */
