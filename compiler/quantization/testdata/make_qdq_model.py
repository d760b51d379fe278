"""Writes qdq_conv.onnx: what a QAT export looks like (torch.onnx with fake quant): float input
-> Q/DQ (int8, zp 0) -> Conv with a per-channel Q/DQ weight -> Relu -> Q/DQ -> output, and
qdq_conv_zp.onnx, the same with a nonzero activation zero point (an error for the BPU).

Run: /usr/bin/python3 make_qdq_model.py (deterministic; the outputs are committed)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(zero_point):
    rng = np.random.default_rng(7)
    w = rng.uniform(-1, 1, size=(3, 2, 3, 3)).astype(np.float32)
    b = rng.uniform(-0.5, 0.5, size=(3,)).astype(np.float32)
    w_scale = (np.abs(w).reshape(3, -1).max(axis=1) / 127.5).astype(np.float32)
    inits = [
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(b, "b"),
        numpy_helper.from_array(np.array(0.02, np.float32), "x_scale"),
        numpy_helper.from_array(np.array(zero_point, np.int8), "x_zp"),
        numpy_helper.from_array(w_scale, "w_scale"),
        numpy_helper.from_array(np.zeros(3, np.int8), "w_zp"),
        numpy_helper.from_array(np.array(0.05, np.float32), "y_scale"),
        numpy_helper.from_array(np.array(0, np.int8), "y_zp"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"], name="x_q"),
        helper.make_node("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xd"], name="x_dq"),
        helper.make_node("QuantizeLinear", ["w", "w_scale", "w_zp"], ["wq"], name="w_q", axis=0),
        helper.make_node("DequantizeLinear", ["wq", "w_scale", "w_zp"], ["wd"], name="w_dq",
                         axis=0),
        helper.make_node("Conv", ["xd", "wd", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("QuantizeLinear", ["r", "y_scale", "y_zp"], ["rq"], name="r_q"),
        helper.make_node("DequantizeLinear", ["rq", "y_scale", "y_zp"], ["y"], name="r_dq"),
    ]
    graph = helper.make_graph(
        nodes, "qdq_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 5, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="openbpu-test")
    onnx.checker.check_model(model)
    return model


onnx.save(build(0), "qdq_conv.onnx")
onnx.save(build(3), "qdq_conv_zp.onnx")
