/* The C API end to end, compiled as C: initialize from a file (ResNet-18's layer1 3x3 conv packed
 * as an .hbm by the C++ test support), model names and handle, tensor properties, allocation,
 * two inferences waited out of order (one with a zero timeout first), the golden output, the
 * modeled cycles, and the error paths (null arguments, a missing file, a corrupt file, an unknown
 * model, a bad index, a wrong tensor size), each an error code with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/c_api.h"
#include "runtime/test_model.h"

static int failures = 0;

#define EXPECT(cond)                                                        \
  do {                                                                      \
    if (!(cond)) {                                                          \
      fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

#define EXPECT_CODE(call, code)                                                          \
  do {                                                                                   \
    obpu_status s_ = (call);                                                             \
    if (s_ != (code)) {                                                                  \
      fprintf(stderr, "%s:%d: %s returned %s (%s), expected %s\n", __FILE__, __LINE__, #call, \
              obpu_status_name(s_), obpu_last_error(), obpu_status_name(code));          \
      ++failures;                                                                        \
    }                                                                                    \
  } while (0)

#define EXPECT_MESSAGE(text)                                                            \
  do {                                                                                  \
    if (strstr(obpu_last_error(), (text)) == NULL) {                                    \
      fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__,           \
              obpu_last_error(), (text));                                               \
      ++failures;                                                                       \
    }                                                                                   \
  } while (0)

int main(void) {
  const char* dir = getenv("TEST_TMPDIR");
  char path[4096], bad_path[4096];
  snprintf(path, sizeof path, "%s/layer1.hbm", dir ? dir : "/tmp");
  snprintf(bad_path, sizeof bad_path, "%s/corrupt.hbm", dir ? dir : "/tmp");
  if (obpu_test_write_layer1_hbm(path) != 0) {
    fprintf(stderr, "cannot write the test model\n");
    return 1;
  }

  /* Error paths before anything is loaded. */
  obpu_package* pkg = NULL;
  const char* missing[] = {"/nonexistent/model.hbm"};
  EXPECT_CODE(obpu_init_from_files(&pkg, missing, 1), OBPU_ERR_NOT_FOUND);
  EXPECT_MESSAGE("cannot open /nonexistent/model.hbm");
  EXPECT_CODE(obpu_init_from_files(NULL, missing, 1), OBPU_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("package is null");
  {
    FILE* in = fopen(path, "rb");
    FILE* out = fopen(bad_path, "wb");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in); /* the first 4 KiB only: a truncated file */
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    const char* corrupt[] = {bad_path};
    EXPECT_CODE(obpu_init_from_files(&pkg, corrupt, 1), OBPU_ERR_BAD_FILE);
    EXPECT(pkg == NULL);
  }

  const char* files[] = {path};
  EXPECT_CODE(obpu_init_from_files(&pkg, files, 1), OBPU_OK);
  if (pkg == NULL) return 1;
  const char** names = NULL;
  int32_t count = 0;
  EXPECT_CODE(obpu_get_model_names(&names, &count, pkg), OBPU_OK);
  EXPECT(count == 1 && strcmp(names[0], "layer1_conv") == 0);
  obpu_model* model = NULL;
  EXPECT_CODE(obpu_get_model(&model, pkg, "resnet"), OBPU_ERR_NOT_FOUND);
  EXPECT_MESSAGE("no model 'resnet' (loaded: layer1_conv)");
  EXPECT_CODE(obpu_get_model(&model, pkg, "layer1_conv"), OBPU_OK);

  int32_t inputs = 0, outputs = 0;
  EXPECT_CODE(obpu_get_input_count(&inputs, model), OBPU_OK);
  EXPECT_CODE(obpu_get_output_count(&outputs, model), OBPU_OK);
  EXPECT(inputs == 1 && outputs == 1);
  obpu_tensor_properties in_props, out_props;
  EXPECT_CODE(obpu_get_input_properties(&in_props, model, 1), OBPU_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("index 1 outside [0, 1)");
  EXPECT_CODE(obpu_get_input_properties(&in_props, model, 0), OBPU_OK);
  EXPECT_CODE(obpu_get_output_properties(&out_props, model, 0), OBPU_OK);
  EXPECT(strcmp(in_props.name, "x") == 0 && in_props.dtype == OBPU_DTYPE_INT8);
  EXPECT(in_props.layout == OBPU_LAYOUT_NHWC && in_props.quant_type == OBPU_QUANT_SCALE);
  EXPECT(in_props.num_dims == 4 && in_props.valid_shape[1] == 64 && in_props.valid_shape[3] == 56);
  EXPECT(in_props.aligned_shape[1] == 56 && in_props.aligned_shape[3] == 64);
  EXPECT(in_props.num_scales == 1 && in_props.scales[0] == 0.5f);
  EXPECT(in_props.bytes == (uint64_t)obpu_test_layer1_bytes());

  obpu_tensor in[2], out[2];
  EXPECT_CODE(obpu_alloc_tensor(&in[0], &in_props), OBPU_OK);
  EXPECT_CODE(obpu_alloc_tensor(&in[1], &in_props), OBPU_OK);
  EXPECT_CODE(obpu_alloc_tensor(&out[0], &out_props), OBPU_OK);
  EXPECT_CODE(obpu_alloc_tensor(&out[1], &out_props), OBPU_OK);
  memcpy(in[0].data, obpu_test_layer1_input(), in[0].bytes);
  memcpy(in[1].data, obpu_test_layer1_input(), in[1].bytes);

  /* A wrong tensor size is refused before any task starts. */
  obpu_task* task = NULL;
  obpu_tensor small = in[0];
  small.bytes = 100;
  EXPECT_CODE(obpu_infer(&task, &out[0], 1, &small, 1, model, NULL), OBPU_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("input 0 'x' must be 200704 bytes; got 100");
  EXPECT(task == NULL);
  EXPECT_CODE(obpu_infer(&task, &out[0], 1, in, 2, model, NULL), OBPU_ERR_INVALID_ARGUMENT);
  EXPECT_MESSAGE("has 1 inputs; got 2");

  /* Two tasks in flight, waited out of order; the first poll of the second may time out. */
  obpu_task* first = NULL;
  obpu_task* second = NULL;
  obpu_infer_params both = {OBPU_BACKEND_BOTH};
  EXPECT_CODE(obpu_infer(&first, &out[0], 1, &in[0], 1, model, NULL), OBPU_OK);
  EXPECT_CODE(obpu_infer(&second, &out[1], 1, &in[1], 1, model, &both), OBPU_OK);
  obpu_status polled = obpu_wait(second, 0);
  EXPECT(polled == OBPU_OK || polled == OBPU_ERR_TIMEOUT);
  if (polled == OBPU_ERR_TIMEOUT) EXPECT_MESSAGE("still running after 0 ms");
  EXPECT_CODE(obpu_wait(second, -1), OBPU_OK);
  EXPECT_CODE(obpu_wait(first, -1), OBPU_OK);
  uint64_t cycles = 0;
  EXPECT_CODE(obpu_task_cycles(&cycles, second), OBPU_OK);
  EXPECT(cycles > 0);
  EXPECT(memcmp(out[0].data, obpu_test_layer1_expected(), out[0].bytes) == 0);
  EXPECT(memcmp(out[1].data, obpu_test_layer1_expected(), out[1].bytes) == 0);
  EXPECT_CODE(obpu_release_task(first), OBPU_OK);
  EXPECT_CODE(obpu_release_task(second), OBPU_OK);
  EXPECT_CODE(obpu_release_task(NULL), OBPU_ERR_INVALID_ARGUMENT);

  for (int i = 0; i < 2; ++i) {
    EXPECT_CODE(obpu_free_tensor(&in[i]), OBPU_OK);
    EXPECT_CODE(obpu_free_tensor(&out[i]), OBPU_OK);
  }
  EXPECT_CODE(obpu_release(pkg), OBPU_OK);
  EXPECT(strcmp(obpu_status_name(OBPU_ERR_TIMEOUT), "OBPU_ERR_TIMEOUT") == 0);
  printf("c-api: 2 inferences (waited out of order), %llu cycles, %d failures\n",
         (unsigned long long)cycles, failures);
  return failures == 0 ? 0 : 1;
}
