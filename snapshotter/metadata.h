// Snapshot metadata in SQLite: one row per snapshot (key, parent, kind, thin device id, virtual
// size, labels, state). Every change runs in a transaction; a row's state says whether its device
// is being made ("creating"), usable ("ready") or being dropped ("removing"), so a crash in the
// middle leaves a row that start-up reconciliation knows how to finish.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace mogu::snap {

// Values as containerd's snapshots.Kind.
enum class Kind { view = 1, active = 2, committed = 3 };
const char* kind_name(Kind k);

using Labels = std::map<std::string, std::string>;

struct SnapshotRow {
    std::string key;
    std::string parent;
    Kind kind = Kind::active;
    std::string state = "creating";
    uint32_t device_id = 0;
    uint64_t size = 0;        // virtual size in bytes
    uint64_t usage = 0;       // bytes mapped, recorded at commit
    int64_t created_ns = 0;
    int64_t updated_ns = 0;
    Labels labels;
};

class MetaStore {
public:
    explicit MetaStore(const std::string& path);
    ~MetaStore();
    MetaStore(const MetaStore&) = delete;
    MetaStore& operator=(const MetaStore&) = delete;

    // RAII transaction: rolled back unless commit() is called.
    class Tx {
    public:
        explicit Tx(MetaStore& s);
        ~Tx();
        void commit();
    private:
        MetaStore& s_;
        bool done_ = false;
    };

    std::optional<SnapshotRow> get(const std::string& key);
    std::optional<SnapshotRow> by_device(uint32_t id);
    std::vector<SnapshotRow> all();
    void insert(const SnapshotRow& row);
    // Rewrites the row stored under `old_key` (which may differ from row.key: Commit renames).
    void update(const std::string& old_key, const SnapshotRow& row);
    void erase(const std::string& key);
    int children_of(const std::string& key);
    // Next free thin device id (ids are never reused while a row holds them).
    uint32_t allocate_device_id();
    std::optional<std::string> meta(const std::string& k);
    void set_meta(const std::string& k, const std::string& v);
    // Sum of the virtual sizes of all rows.
    uint64_t total_size();

    const std::string& path() const { return path_; }

private:
    void exec(const char* sql);
    std::string path_;
    sqlite3* db_ = nullptr;
};

int64_t now_ns();

}  // namespace mogu::snap
