// A client of the Snapshots gRPC service: `mogu-snapshotter snapshots ...` uses it to drive a
// running daemon the way containerd does (operators, tests, benchmarks).
#pragma once

#include "snapshotter/snapshotter.h"

#include <memory>
#include <string>
#include <vector>

namespace mogu::snap {

class SnapshotsClient {
public:
    explicit SnapshotsClient(const std::string& socket_path);
    ~SnapshotsClient();

    std::vector<Mount> prepare(const std::string& key, const std::string& parent, const Labels& labels = {});
    std::vector<Mount> view(const std::string& key, const std::string& parent, const Labels& labels = {});
    std::vector<Mount> mounts(const std::string& key);
    void commit(const std::string& name, const std::string& key, const Labels& labels = {});
    void remove(const std::string& key);
    Info stat(const std::string& key);
    Info update(const Info& info, const std::vector<std::string>& fieldpaths);
    std::vector<Info> list(const std::vector<std::string>& filters);
    Usage usage(const std::string& key);
    void cleanup();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mogu::snap
