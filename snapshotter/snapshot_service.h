// containerd.services.snapshots.v1.Snapshots: turns requests into Snapshotter calls and
// SnapError kinds into the status codes containerd's errdefs understand. serve_grpc
// (grpc_service.h) puts it on a unix socket; tests/fuzz/snapshotter_grpc.cpp calls it directly.
#pragma once

#include "snapshotter/snapshotter.h"

#include "containerd/services/snapshots/v1/snapshots.grpc.pb.h"

#include <functional>

namespace mogu::snap {

namespace pb = containerd::services::snapshots::v1;

class SnapshotService final : public pb::Snapshots::Service {
public:
    explicit SnapshotService(Snapshotter& s) : s_(s) {}

    grpc::Status Prepare(grpc::ServerContext*, const pb::PrepareSnapshotRequest* r, pb::PrepareSnapshotResponse* out) override;
    grpc::Status View(grpc::ServerContext*, const pb::ViewSnapshotRequest* r, pb::ViewSnapshotResponse* out) override;
    grpc::Status Mounts(grpc::ServerContext*, const pb::MountsRequest* r, pb::MountsResponse* out) override;
    grpc::Status Commit(grpc::ServerContext*, const pb::CommitSnapshotRequest* r, google::protobuf::Empty*) override;
    grpc::Status Remove(grpc::ServerContext*, const pb::RemoveSnapshotRequest* r, google::protobuf::Empty*) override;
    grpc::Status Stat(grpc::ServerContext*, const pb::StatSnapshotRequest* r, pb::StatSnapshotResponse* out) override;
    grpc::Status Update(grpc::ServerContext*, const pb::UpdateSnapshotRequest* r, pb::UpdateSnapshotResponse* out) override;
    grpc::Status List(grpc::ServerContext*, const pb::ListSnapshotsRequest* r, grpc::ServerWriter<pb::ListSnapshotsResponse>* w) override;
    grpc::Status Usage(grpc::ServerContext*, const pb::UsageRequest* r, pb::UsageResponse* out) override;
    grpc::Status Cleanup(grpc::ServerContext*, const pb::CleanupRequest*, google::protobuf::Empty*) override;

    // List's work, each batch handed to `write` (false: the client went away, stop).
    grpc::Status list(const pb::ListSnapshotsRequest& r, const std::function<bool(const pb::ListSnapshotsResponse&)>& write);

private:
    Snapshotter& s_;
};

}  // namespace mogu::snap
