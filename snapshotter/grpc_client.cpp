#include "snapshotter/grpc_client.h"

#include "common/error.h"

#include "containerd/services/snapshots/v1/snapshots.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

namespace mogu::snap {
namespace {

namespace pb = containerd::services::snapshots::v1;

const char* code_name(grpc::StatusCode c) {
    switch (c) {
        case grpc::StatusCode::INVALID_ARGUMENT: return "invalid argument";
        case grpc::StatusCode::NOT_FOUND: return "not found";
        case grpc::StatusCode::ALREADY_EXISTS: return "already exists";
        case grpc::StatusCode::FAILED_PRECONDITION: return "failed precondition";
        case grpc::StatusCode::RESOURCE_EXHAUSTED: return "resource exhausted";
        case grpc::StatusCode::UNAVAILABLE: return "unavailable";
        default: return "error";
    }
}

void ok(const grpc::Status& s, const char* what) {
    if (!s.ok()) throw Error("{}: {} ({})", what, s.error_message(), code_name(s.error_code()));
}

std::vector<Mount> mounts_from(const google::protobuf::RepeatedPtrField<containerd::types::Mount>& ms) {
    std::vector<Mount> out;
    for (auto& m : ms) out.push_back({m.type(), m.source(), {m.options().begin(), m.options().end()}});
    return out;
}

Info info_from(const pb::Info& i) {
    Info out;
    out.name = i.name();
    out.parent = i.parent();
    out.kind = static_cast<Kind>(static_cast<int>(i.kind()));
    out.created_ns = i.created_at().seconds() * 1000000000 + i.created_at().nanos();
    out.updated_ns = i.updated_at().seconds() * 1000000000 + i.updated_at().nanos();
    out.labels = Labels(i.labels().begin(), i.labels().end());
    return out;
}

}  // namespace

struct SnapshotsClient::Impl {
    std::unique_ptr<pb::Snapshots::Stub> stub;
    std::unique_ptr<grpc::ClientContext> ctx() {
        auto c = std::make_unique<grpc::ClientContext>();
        c->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
        return c;
    }
};

SnapshotsClient::SnapshotsClient(const std::string& socket_path) : impl_(std::make_unique<Impl>()) {
    auto channel = grpc::CreateChannel("unix:" + socket_path, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5)))
        throw Error("cannot reach mogu-snapshotter at {} (is it running?)", socket_path);
    impl_->stub = pb::Snapshots::NewStub(channel);
}

SnapshotsClient::~SnapshotsClient() = default;

std::vector<Mount> SnapshotsClient::prepare(const std::string& key, const std::string& parent, const Labels& labels) {
    pb::PrepareSnapshotRequest r;
    r.set_key(key);
    r.set_parent(parent);
    for (auto& [k, v] : labels) (*r.mutable_labels())[k] = v;
    pb::PrepareSnapshotResponse out;
    ok(impl_->stub->Prepare(impl_->ctx().get(), r, &out), "prepare");
    return mounts_from(out.mounts());
}

std::vector<Mount> SnapshotsClient::view(const std::string& key, const std::string& parent, const Labels& labels) {
    pb::ViewSnapshotRequest r;
    r.set_key(key);
    r.set_parent(parent);
    for (auto& [k, v] : labels) (*r.mutable_labels())[k] = v;
    pb::ViewSnapshotResponse out;
    ok(impl_->stub->View(impl_->ctx().get(), r, &out), "view");
    return mounts_from(out.mounts());
}

std::vector<Mount> SnapshotsClient::mounts(const std::string& key) {
    pb::MountsRequest r;
    r.set_key(key);
    pb::MountsResponse out;
    ok(impl_->stub->Mounts(impl_->ctx().get(), r, &out), "mounts");
    return mounts_from(out.mounts());
}

void SnapshotsClient::commit(const std::string& name, const std::string& key, const Labels& labels) {
    pb::CommitSnapshotRequest r;
    r.set_name(name);
    r.set_key(key);
    for (auto& [k, v] : labels) (*r.mutable_labels())[k] = v;
    google::protobuf::Empty out;
    ok(impl_->stub->Commit(impl_->ctx().get(), r, &out), "commit");
}

void SnapshotsClient::remove(const std::string& key) {
    pb::RemoveSnapshotRequest r;
    r.set_key(key);
    google::protobuf::Empty out;
    ok(impl_->stub->Remove(impl_->ctx().get(), r, &out), "remove");
}

Info SnapshotsClient::stat(const std::string& key) {
    pb::StatSnapshotRequest r;
    r.set_key(key);
    pb::StatSnapshotResponse out;
    ok(impl_->stub->Stat(impl_->ctx().get(), r, &out), "stat");
    return info_from(out.info());
}

Info SnapshotsClient::update(const Info& info, const std::vector<std::string>& fieldpaths) {
    pb::UpdateSnapshotRequest r;
    r.mutable_info()->set_name(info.name);
    for (auto& [k, v] : info.labels) (*r.mutable_info()->mutable_labels())[k] = v;
    for (auto& p : fieldpaths) r.mutable_update_mask()->add_paths(p);
    pb::UpdateSnapshotResponse out;
    ok(impl_->stub->Update(impl_->ctx().get(), r, &out), "update");
    return info_from(out.info());
}

std::vector<Info> SnapshotsClient::list(const std::vector<std::string>& filters) {
    pb::ListSnapshotsRequest r;
    for (auto& f : filters) r.add_filters(f);
    auto ctx = impl_->ctx();
    auto reader = impl_->stub->List(ctx.get(), r);
    std::vector<Info> out;
    pb::ListSnapshotsResponse batch;
    while (reader->Read(&batch))
        for (auto& i : batch.info()) out.push_back(info_from(i));
    ok(reader->Finish(), "list");
    return out;
}

Usage SnapshotsClient::usage(const std::string& key) {
    pb::UsageRequest r;
    r.set_key(key);
    pb::UsageResponse out;
    ok(impl_->stub->Usage(impl_->ctx().get(), r, &out), "usage");
    return {out.size(), out.inodes()};
}

void SnapshotsClient::cleanup() {
    pb::CleanupRequest r;
    google::protobuf::Empty out;
    ok(impl_->stub->Cleanup(impl_->ctx().get(), r, &out), "cleanup");
}

}  // namespace mogu::snap
