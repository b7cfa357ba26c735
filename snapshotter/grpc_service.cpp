#include "snapshotter/grpc_service.h"

#include "common/error.h"
#include "common/files.h"
#include "common/log.h"
#include "snapshotter/errors.h"

#include "containerd/services/snapshots/v1/snapshots.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

namespace mogu::snap {
namespace {

namespace pb = containerd::services::snapshots::v1;

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

class Service final : public pb::Snapshots::Service {
public:
    explicit Service(Snapshotter& s) : s_(s) {}

    grpc::Status Prepare(grpc::ServerContext*, const pb::PrepareSnapshotRequest* r, pb::PrepareSnapshotResponse* out) override {
        return call("Prepare", r->key(), [&] { put_mounts(s_.prepare(r->key(), r->parent(), labels_of(r->labels())), out->mutable_mounts()); });
    }
    grpc::Status View(grpc::ServerContext*, const pb::ViewSnapshotRequest* r, pb::ViewSnapshotResponse* out) override {
        return call("View", r->key(), [&] { put_mounts(s_.view(r->key(), r->parent(), labels_of(r->labels())), out->mutable_mounts()); });
    }
    grpc::Status Mounts(grpc::ServerContext*, const pb::MountsRequest* r, pb::MountsResponse* out) override {
        return call("Mounts", r->key(), [&] { put_mounts(s_.mounts(r->key()), out->mutable_mounts()); });
    }
    grpc::Status Commit(grpc::ServerContext*, const pb::CommitSnapshotRequest* r, google::protobuf::Empty*) override {
        return call("Commit", r->key(), [&] { s_.commit(r->name(), r->key(), labels_of(r->labels())); });
    }
    grpc::Status Remove(grpc::ServerContext*, const pb::RemoveSnapshotRequest* r, google::protobuf::Empty*) override {
        return call("Remove", r->key(), [&] { s_.remove(r->key()); });
    }
    grpc::Status Stat(grpc::ServerContext*, const pb::StatSnapshotRequest* r, pb::StatSnapshotResponse* out) override {
        return call("Stat", r->key(), [&] { put_info(s_.stat(r->key()), out->mutable_info()); });
    }
    grpc::Status Update(grpc::ServerContext*, const pb::UpdateSnapshotRequest* r, pb::UpdateSnapshotResponse* out) override {
        return call("Update", r->info().name(), [&] {
            Info i;
            i.name = r->info().name();
            i.labels = labels_of(r->info().labels());
            std::vector<std::string> paths(r->update_mask().paths().begin(), r->update_mask().paths().end());
            put_info(s_.update(i, paths), out->mutable_info());
        });
    }
    grpc::Status List(grpc::ServerContext*, const pb::ListSnapshotsRequest* r, grpc::ServerWriter<pb::ListSnapshotsResponse>* w) override {
        return call("List", "", [&] {
            std::vector<std::string> filters(r->filters().begin(), r->filters().end());
            auto infos = s_.list(filters);
            // Batches keep each message well under gRPC's 4 MiB limit.
            for (size_t i = 0; i < infos.size(); i += 100) {
                pb::ListSnapshotsResponse batch;
                for (size_t j = i; j < std::min(infos.size(), i + 100); ++j) put_info(infos[j], batch.add_info());
                if (!w->Write(batch)) return;
            }
        });
    }
    grpc::Status Usage(grpc::ServerContext*, const pb::UsageRequest* r, pb::UsageResponse* out) override {
        return call("Usage", r->key(), [&] {
            auto u = s_.usage(r->key());
            out->set_size(u.size);
            out->set_inodes(u.inodes);
        });
    }
    grpc::Status Cleanup(grpc::ServerContext*, const pb::CleanupRequest*, google::protobuf::Empty*) override {
        return call("Cleanup", "", [&] { s_.cleanup(); });
    }

private:
    Snapshotter& s_;
};

}  // namespace

void serve_grpc(Snapshotter& snapshotter, const std::string& socket_path) {
    mkdir_p(dirname_of(socket_path), 0711);
    if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) throw SysError(errno, "remove stale socket {}", socket_path);

    // Signals are taken by a thread that shuts the server down; block them everywhere else.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    Service service(snapshotter);
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort("unix:" + socket_path, grpc::InsecureServerCredentials(), &bound);
    builder.RegisterService(&service);
    mode_t old = ::umask(0077);
    auto server = builder.BuildAndStart();
    ::umask(old);
    if (!server || !bound) throw Error("cannot listen on {} (gRPC)", socket_path);
    log::info("serving containerd.services.snapshots.v1.Snapshots on {}", socket_path);

    std::thread stopper([&] {
        int sig = 0;
        sigwait(&set, &sig);
        log::info("signal {}: shutting down", sig);
        server->Shutdown();
    });
    server->Wait();
    stopper.join();
    ::unlink(socket_path.c_str());
}

}  // namespace mogu::snap
