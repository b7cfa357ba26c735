// Fuzz target: containerd's Snapshots requests as mogu-snapshotter's gRPC service gets them
// (SnapshotService, the object serve_grpc registers), over the real Snapshotter and its SQLite
// database, holding a committed layer, an active snapshot on it and a view. Every method takes
// protobuf garbage: keys, parents, names, labels, filters, update masks.
//
// Input: calls, each [method byte][length, 2 bytes little-endian][request bytes]; the method
// byte modulo 10 picks Prepare, View, Mounts, Commit, Remove, Stat, Update, List, Usage or
// Cleanup, and the request bytes are parsed as that method's request (the calls of one input run
// in order; each input starts from the same database contents).
//
// Expected: every call ends in a status (an error code for bad input); the database stays
// readable; a Stat that succeeds names the snapshot asked for; a List with no filter lists every
// ready snapshot once. Findings: a sanitizer report, a leak, a hang, an exception that escapes,
// a broken promise above.
//
// The database is SQLite's in-memory one (a file costs an fsync a transaction).
// This host has no device-mapper (the thin pool lives in guests, tests/vm/): every call that
// reaches the pool fails there with its error, as it would with the pool gone. What comes
// before is what this target covers: request decoding, key, parent and label checks, the
// database, filters and update masks. The sandbox (tests/fuzz/sandbox.h) keeps libdevmapper
// and the database to $TMPDIR and libFuzzer's directories.
#include "common/files.h"
#include "common/log.h"
#include "snapshotter/config.h"
#include "snapshotter/metadata.h"
#include "snapshotter/snapshot_service.h"
#include "snapshotter/snapshotter.h"
#include "snapshotter/thin_pool.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/sandbox.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

using namespace mogu;
using namespace mogu::snap;

namespace {

void seed(MetaStore& store) {
    store.set_meta("base_device_id", "1");
    store.set_meta("base_size", std::to_string(64u << 20));
    auto row = [&](const char* key, const char* parent, Kind kind, uint32_t id, Labels labels) {
        SnapshotRow r;
        r.key = key;
        r.parent = parent;
        r.kind = kind;
        r.state = "ready";
        r.device_id = id;
        r.size = 64u << 20;
        r.created_ns = r.updated_ns = now_ns();
        r.labels = std::move(labels);
        store.insert(r);
    };
    row("sha256:layer", "", Kind::committed, 2, {{"containerd.io/snapshot.ref", "sha256:layer"}});
    row("default/1/work", "sha256:layer", Kind::active, 3, {{"containerd.io/gc.root", "x"}, {"team", "web"}});
    row("default/2/view", "sha256:layer", Kind::view, 4, {});
}

void check_status(const grpc::Status& st) {
    fuzz::require(st.ok() || !st.error_message().empty(), "an error status without a message");
}

void run_call(SnapshotService& svc, unsigned method, const std::string& bytes) {
    switch (method % 10) {
        case 0: { pb::PrepareSnapshotRequest r; pb::PrepareSnapshotResponse out; if (r.ParseFromString(bytes)) check_status(svc.Prepare(nullptr, &r, &out)); break; }
        case 1: { pb::ViewSnapshotRequest r; pb::ViewSnapshotResponse out; if (r.ParseFromString(bytes)) check_status(svc.View(nullptr, &r, &out)); break; }
        case 2: { pb::MountsRequest r; pb::MountsResponse out; if (r.ParseFromString(bytes)) check_status(svc.Mounts(nullptr, &r, &out)); break; }
        case 3: { pb::CommitSnapshotRequest r; google::protobuf::Empty out; if (r.ParseFromString(bytes)) check_status(svc.Commit(nullptr, &r, &out)); break; }
        case 4: { pb::RemoveSnapshotRequest r; google::protobuf::Empty out; if (r.ParseFromString(bytes)) check_status(svc.Remove(nullptr, &r, &out)); break; }
        case 5: {
            pb::StatSnapshotRequest r;
            pb::StatSnapshotResponse out;
            if (!r.ParseFromString(bytes)) break;
            auto st = svc.Stat(nullptr, &r, &out);
            check_status(st);
            if (st.ok()) fuzz::require(out.info().name() == r.key(), "Stat answered for another snapshot");
            break;
        }
        case 6: { pb::UpdateSnapshotRequest r; pb::UpdateSnapshotResponse out; if (r.ParseFromString(bytes)) check_status(svc.Update(nullptr, &r, &out)); break; }
        case 7: {
            pb::ListSnapshotsRequest r;
            if (!r.ParseFromString(bytes)) break;
            std::multiset<std::string> names;
            auto st = svc.list(r, [&](const pb::ListSnapshotsResponse& b) {
                for (const auto& i : b.info()) names.insert(i.name());
                return true;
            });
            check_status(st);
            if (st.ok())
                for (const auto& n : names) fuzz::require(names.count(n) == 1, "List gave one snapshot twice");
            break;
        }
        case 8: { pb::UsageRequest r; pb::UsageResponse out; if (r.ParseFromString(bytes)) check_status(svc.Usage(nullptr, &r, &out)); break; }
        case 9: { pb::CleanupRequest r; google::protobuf::Empty out; if (r.ParseFromString(bytes)) check_status(svc.Cleanup(nullptr, &r, &out)); break; }
    }
}

// One daemon's worth of objects for the whole run, as serve has them; each input starts from the
// same database contents (reset() below). A connection per input would cost a leak check per
// input: SQLite keeps per-connection caches that libFuzzer counts as unfreed.
struct Daemon {
    Config config;
    MetaStore store{":memory:"};  // SQLite's own in-memory database: the same SQL, no fsync per call
    ThinPool pool;
    Snapshotter snapshotter;
    SnapshotService service;

    explicit Daemon(const std::string& dir)
        : config(make_config(dir)), pool(config), snapshotter(config, pool, store), service(snapshotter) {}

    static Config make_config(const std::string& dir) {
        Config c;
        c.source = dir + "/snapshotter.toml";
        c.pool_name = "mogu-fuzz";
        c.root_path = dir;
        c.base_image_size = 64u << 20;
        return c;
    }

    void reset() {
        for (const auto& r : store.all()) store.erase(r.key);
        seed(store);
    }
};

Daemon* daemon_ = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    fuzz::enter_write_sandbox(*argc, *argv);
    log::configure("/dev/null", log::Format::text, false);
    static std::string dir = fuzz::make_temp_dir("snapshotter-grpc");  // root_path: nothing is written there
    std::atexit([] { remove_tree(dir); });
    daemon_ = new Daemon(dir);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Daemon& d = *daemon_;
    d.reset();
    const uint8_t* p = data;
    const uint8_t* end = data + size;
    while (end - p >= 3) {
        unsigned method = p[0];
        size_t len = std::min<size_t>(p[1] | (size_t(p[2]) << 8), size_t(end - p - 3));
        std::string bytes(reinterpret_cast<const char*>(p + 3), len);
        p += 3 + len;
        run_call(d.service, method, bytes);
    }
    // The database is still whole: every row reads back, a List without filters has each once.
    auto rows = d.store.all();
    std::multiset<std::string> listed;
    auto st = d.service.list(pb::ListSnapshotsRequest(), [&](const pb::ListSnapshotsResponse& b) {
        for (const auto& i : b.info()) listed.insert(i.name());
        return true;
    });
    fuzz::require(st.ok(), "List without filters failed after the calls");
    size_t ready = 0;
    for (const auto& r : rows) ready += r.state == "ready";
    fuzz::require(listed.size() == ready, "List without filters does not list every ready snapshot once");
    return 0;
}
