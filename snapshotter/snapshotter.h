// The containerd snapshot model over the thin pool: Prepare/View/Commit/Remove/Mounts/Stat/
// Update/List/Usage/Cleanup. Every image starts from one base thin device holding an empty
// filesystem; a snapshot is an O(1) thin snapshot of its parent's committed device.
#pragma once

#include "snapshotter/config.h"
#include "snapshotter/metadata.h"
#include "snapshotter/thin_pool.h"

#include <mutex>
#include <string>
#include <vector>

namespace mogu::snap {

struct Mount {
    std::string type;
    std::string source;
    std::vector<std::string> options;
};

struct Info {
    std::string name;
    std::string parent;
    Kind kind = Kind::active;
    int64_t created_ns = 0;
    int64_t updated_ns = 0;
    Labels labels;
};

struct Usage {
    int64_t size = 0;
    int64_t inodes = 0;
};

class Snapshotter {
public:
    Snapshotter(const Config& config, ThinPool& pool, MetaStore& store) : c_(config), pool_(pool), store_(store) {}

    // Brings the pool up if it is down, makes the base device if missing, and reconciles the
    // database with the pool. Returns one line per repair made.
    std::vector<std::string> start();

    std::vector<Mount> prepare(const std::string& key, const std::string& parent, const Labels& labels);
    std::vector<Mount> view(const std::string& key, const std::string& parent, const Labels& labels);
    std::vector<Mount> mounts(const std::string& key);
    void commit(const std::string& name, const std::string& key, const Labels& labels);
    void remove(const std::string& key);
    Info stat(const std::string& key);
    Info update(const Info& info, const std::vector<std::string>& fieldpaths);
    std::vector<Info> list(const std::vector<std::string>& filters);
    Usage usage(const std::string& key);
    // Finishes removals left for later (async_remove, or interrupted).
    void cleanup();

    // Space accounting: what no-over-provisioning allows and what is committed.
    struct Capacity {
        uint64_t data_bytes = 0, reserve = 0, limit = 0, committed = 0;
        size_t devices = 0;
    };
    Capacity capacity();

private:
    std::vector<Mount> create(Kind kind, const std::string& key, const std::string& parent, const Labels& labels);
    std::vector<Mount> mounts_of(const SnapshotRow& r) const;
    SnapshotRow visible(const std::string& key);
    void check_room(uint64_t bytes);
    void finish_remove(const SnapshotRow& r);
    void ensure_base(std::vector<std::string>& repairs);
    std::vector<std::string> reconcile();

    const Config& c_;
    ThinPool& pool_;
    MetaStore& store_;
    std::mutex mu_;
};

// containerd filter expressions (a subset: field==value, field!=value, field; joined by ','):
// fields name, parent, kind, labels.<key> or labels."<key>". Throws invalid_argument otherwise.
bool matches_filter(const Info& info, const std::string& filter);

}  // namespace mogu::snap
