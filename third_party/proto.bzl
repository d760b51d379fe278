"""Compiles .proto files with the system protoc (Bazel 4.2 + Debian protobuf, offline)."""

def cc_system_proto_library(name, srcs, deps = [], visibility = None):
    """A cc_library of the C++ code protoc generates for `srcs` (in this package)."""
    hdrs = [s.replace(".proto", ".pb.h") for s in srcs]
    ccs = [s.replace(".proto", ".pb.cc") for s in srcs]
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = hdrs + ccs,
        cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) " +
              " ".join(["$(location %s)" % s for s in srcs]),
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        deps = deps + ["//third_party:protobuf"],
        visibility = visibility,
    )

def cc_system_grpc_library(name, srcs, proto_dep, visibility = None):
    """A cc_library of the gRPC service code grpc_cpp_plugin generates for `srcs`; `proto_dep`
    is their cc_system_proto_library."""
    hdrs = [s.replace(".proto", ".grpc.pb.h") for s in srcs]
    ccs = [s.replace(".proto", ".grpc.pb.cc") for s in srcs]
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = hdrs + ccs,
        cmd = "protoc --proto_path=. --grpc_out=$(GENDIR) " +
              "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin " +
              " ".join(["$(location %s)" % s for s in srcs]),
    )
    native.cc_library(
        name = name,
        srcs = ccs,
        hdrs = hdrs,
        deps = [proto_dep, "//third_party:grpc"],
        visibility = visibility,
    )
