#include "snapshotter/snapshot_service.h"

#include "common/log.h"
#include "snapshotter/errors.h"

#include <algorithm>

namespace mogu::snap {
namespace {

grpc::StatusCode code_of(ErrorKind k) {
    switch (k) {
        case ErrorKind::invalid_argument: return grpc::StatusCode::INVALID_ARGUMENT;
        case ErrorKind::not_found: return grpc::StatusCode::NOT_FOUND;
        case ErrorKind::already_exists: return grpc::StatusCode::ALREADY_EXISTS;
        case ErrorKind::failed_precondition: return grpc::StatusCode::FAILED_PRECONDITION;
        case ErrorKind::exhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
        case ErrorKind::unavailable: return grpc::StatusCode::UNAVAILABLE;
    }
    return grpc::StatusCode::UNKNOWN;
}

// Runs one call; every error becomes a status whose message is the whole error.
template <typename F>
grpc::Status call(const char* method, const std::string& key, F&& fn) {
    try {
        fn();
        return grpc::Status::OK;
    } catch (const SnapError& e) {
        log::debug("{} {}: {}", method, key, e.what());
        return {code_of(e.kind()), e.what()};
    } catch (const std::exception& e) {
        log::error("{} {}: {}", method, key, e.what());
        return {grpc::StatusCode::UNKNOWN, e.what()};
    }
}

Labels labels_of(const google::protobuf::Map<std::string, std::string>& m) { return Labels(m.begin(), m.end()); }

void put_mounts(const std::vector<Mount>& mounts, google::protobuf::RepeatedPtrField<containerd::types::Mount>* out) {
    for (auto& m : mounts) {
        auto* pm = out->Add();
        pm->set_type(m.type);
        pm->set_source(m.source);
        for (auto& o : m.options) pm->add_options(o);
    }
}

void put_time(int64_t ns, google::protobuf::Timestamp* t) {
    t->set_seconds(ns / 1000000000);
    t->set_nanos(static_cast<int32_t>(ns % 1000000000));
}

void put_info(const Info& i, pb::Info* out) {
    out->set_name(i.name);
    out->set_parent(i.parent);
    out->set_kind(static_cast<pb::Kind>(static_cast<int>(i.kind)));
    put_time(i.created_ns, out->mutable_created_at());
    put_time(i.updated_ns, out->mutable_updated_at());
    for (auto& [k, v] : i.labels) (*out->mutable_labels())[k] = v;
}

}  // namespace

grpc::Status SnapshotService::Prepare(grpc::ServerContext*, const pb::PrepareSnapshotRequest* r, pb::PrepareSnapshotResponse* out) {
    return call("Prepare", r->key(), [&] { put_mounts(s_.prepare(r->key(), r->parent(), labels_of(r->labels())), out->mutable_mounts()); });
}

grpc::Status SnapshotService::View(grpc::ServerContext*, const pb::ViewSnapshotRequest* r, pb::ViewSnapshotResponse* out) {
    return call("View", r->key(), [&] { put_mounts(s_.view(r->key(), r->parent(), labels_of(r->labels())), out->mutable_mounts()); });
}

grpc::Status SnapshotService::Mounts(grpc::ServerContext*, const pb::MountsRequest* r, pb::MountsResponse* out) {
    return call("Mounts", r->key(), [&] { put_mounts(s_.mounts(r->key()), out->mutable_mounts()); });
}

grpc::Status SnapshotService::Commit(grpc::ServerContext*, const pb::CommitSnapshotRequest* r, google::protobuf::Empty*) {
    return call("Commit", r->key(), [&] { s_.commit(r->name(), r->key(), labels_of(r->labels())); });
}

grpc::Status SnapshotService::Remove(grpc::ServerContext*, const pb::RemoveSnapshotRequest* r, google::protobuf::Empty*) {
    return call("Remove", r->key(), [&] { s_.remove(r->key()); });
}

grpc::Status SnapshotService::Stat(grpc::ServerContext*, const pb::StatSnapshotRequest* r, pb::StatSnapshotResponse* out) {
    return call("Stat", r->key(), [&] { put_info(s_.stat(r->key()), out->mutable_info()); });
}

grpc::Status SnapshotService::Update(grpc::ServerContext*, const pb::UpdateSnapshotRequest* r, pb::UpdateSnapshotResponse* out) {
    return call("Update", r->info().name(), [&] {
        Info i;
        i.name = r->info().name();
        i.labels = labels_of(r->info().labels());
        std::vector<std::string> paths(r->update_mask().paths().begin(), r->update_mask().paths().end());
        put_info(s_.update(i, paths), out->mutable_info());
    });
}

grpc::Status SnapshotService::List(grpc::ServerContext*, const pb::ListSnapshotsRequest* r, grpc::ServerWriter<pb::ListSnapshotsResponse>* w) {
    return list(*r, [w](const pb::ListSnapshotsResponse& batch) { return w->Write(batch); });
}

grpc::Status SnapshotService::list(const pb::ListSnapshotsRequest& r, const std::function<bool(const pb::ListSnapshotsResponse&)>& write) {
    return call("List", "", [&] {
        std::vector<std::string> filters(r.filters().begin(), r.filters().end());
        auto infos = s_.list(filters);
        // Batches keep each message well under gRPC's 4 MiB limit.
        for (size_t i = 0; i < infos.size(); i += 100) {
            pb::ListSnapshotsResponse batch;
            for (size_t j = i; j < std::min(infos.size(), i + 100); ++j) put_info(infos[j], batch.add_info());
            if (!write(batch)) return;
        }
    });
}

grpc::Status SnapshotService::Usage(grpc::ServerContext*, const pb::UsageRequest* r, pb::UsageResponse* out) {
    return call("Usage", r->key(), [&] {
        auto u = s_.usage(r->key());
        out->set_size(u.size);
        out->set_inodes(u.inodes);
    });
}

grpc::Status SnapshotService::Cleanup(grpc::ServerContext*, const pb::CleanupRequest*, google::protobuf::Empty*) {
    return call("Cleanup", "", [&] { s_.cleanup(); });
}

}  // namespace mogu::snap
