"""Server reflection as generic clients (grpcurl, Postman) use it, with Debian's python3-grpcio and
stubs generated from runtime/server/reflection.proto: the services listed, and the descriptor of
inference.GRPCInferenceService with every KServe and Triton RPC.

Usage: server_reflection_client.py STUBS_DIR PORT
"""
import sys

import grpc
from google.protobuf import descriptor_pb2


def main():
    stubs, port = sys.argv[1:3]
    sys.path.insert(0, stubs)
    import reflection_pb2 as pb
    import reflection_pb2_grpc as pb_grpc

    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = pb_grpc.ServerReflectionStub(channel)
    requests = [pb.ServerReflectionRequest(list_services=""),
                pb.ServerReflectionRequest(file_containing_symbol="inference.GRPCInferenceService"),
                pb.ServerReflectionRequest(file_containing_symbol="no.such.Symbol")]
    listed, described, missing = list(stub.ServerReflectionInfo(iter(requests), timeout=30))
    services = sorted(s.name for s in listed.list_services_response.service)
    for want in ("grpc.health.v1.Health", "inference.GRPCInferenceService"):
        assert want in services, services
    methods = set()
    for raw in described.file_descriptor_response.file_descriptor_proto:
        fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
        for service in fd.service:
            if fd.package == "inference" and service.name == "GRPCInferenceService":
                methods = {m.name for m in service.method}
    rpcs = {"ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata",
            "ModelInfer", "ModelConfig", "ModelStatistics", "RepositoryIndex",
            "RepositoryModelLoad", "RepositoryModelUnload"}
    assert methods == rpcs, methods
    assert missing.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0], missing
    print(f"server: reflection lists {', '.join(services)}; inference.GRPCInferenceService "
          f"described with its {len(methods)} RPCs; an unknown symbol NOT_FOUND", flush=True)


if __name__ == "__main__":
    main()
