#include "snapshotter/metadata.h"

#include "common/error.h"
#include "common/json.h"

#include <sqlite3.h>

#include <ctime>
#include <memory>

namespace mogu::snap {
namespace {

struct StmtFree {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFree>;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw Error("metadata database: {}: {}", what, sqlite3_errmsg(db));
}

Stmt prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) fail(db, sql);
    return Stmt(s);
}

void bind_value(sqlite3* db, sqlite3_stmt* s, int i, const std::string& v) {
    if (sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db, "bind");
}
void bind_value(sqlite3* db, sqlite3_stmt* s, int i, int64_t v) {
    if (sqlite3_bind_int64(s, i, v) != SQLITE_OK) fail(db, "bind");
}

std::string col_text(sqlite3_stmt* s, int i) {
    auto p = sqlite3_column_text(s, i);
    return p ? reinterpret_cast<const char*>(p) : "";
}

std::string labels_to_json(const Labels& labels) {
    JsonWriter w;
    w.begin_object();
    for (auto& [k, v] : labels) { w.key(k); w.value(v); }
    w.end_object();
    return w.str();
}

Labels labels_from_json(const std::string& text) {
    Labels out;
    auto doc = JsonDoc::parse(text.empty() ? "{}" : text, "labels");
    doc.root().for_each_member([&](std::string_view k, const Json& v) { out[std::string(k)] = v.as_string(); });
    return out;
}

const char* kColumns = "key, parent, kind, state, device_id, size, usage, created, updated, labels";

SnapshotRow read_row(sqlite3_stmt* s) {
    SnapshotRow r;
    r.key = col_text(s, 0);
    r.parent = col_text(s, 1);
    r.kind = static_cast<Kind>(sqlite3_column_int(s, 2));
    r.state = col_text(s, 3);
    r.device_id = static_cast<uint32_t>(sqlite3_column_int64(s, 4));
    r.size = static_cast<uint64_t>(sqlite3_column_int64(s, 5));
    r.usage = static_cast<uint64_t>(sqlite3_column_int64(s, 6));
    r.created_ns = sqlite3_column_int64(s, 7);
    r.updated_ns = sqlite3_column_int64(s, 8);
    r.labels = labels_from_json(col_text(s, 9));
    return r;
}

void bind_row(sqlite3* db, sqlite3_stmt* s, const SnapshotRow& r) {
    bind_value(db, s, 1, r.key);
    bind_value(db, s, 2, r.parent);
    bind_value(db, s, 3, static_cast<int64_t>(r.kind));
    bind_value(db, s, 4, r.state);
    bind_value(db, s, 5, static_cast<int64_t>(r.device_id));
    bind_value(db, s, 6, static_cast<int64_t>(r.size));
    bind_value(db, s, 7, static_cast<int64_t>(r.usage));
    bind_value(db, s, 8, r.created_ns);
    bind_value(db, s, 9, r.updated_ns);
    bind_value(db, s, 10, labels_to_json(r.labels));
}

void step_done(sqlite3* db, sqlite3_stmt* s, const std::string& what) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) fail(db, what);
}

}  // namespace

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::view: return "view";
        case Kind::active: return "active";
        case Kind::committed: return "committed";
    }
    return "unknown";
}

int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

MetaStore::MetaStore(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
        SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw Error("metadata database {}: {}", path, msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA synchronous = FULL");
    exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    exec("CREATE TABLE IF NOT EXISTS snapshots ("
         " key TEXT PRIMARY KEY, parent TEXT NOT NULL, kind INTEGER NOT NULL, state TEXT NOT NULL,"
         " device_id INTEGER NOT NULL UNIQUE, size INTEGER NOT NULL, usage INTEGER NOT NULL,"
         " created INTEGER NOT NULL, updated INTEGER NOT NULL, labels TEXT NOT NULL)");
    exec("CREATE INDEX IF NOT EXISTS snapshots_parent ON snapshots(parent)");
}

MetaStore::~MetaStore() { sqlite3_close(db_); }

void MetaStore::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        throw Error("metadata database {}: {}: {}", path_, sql, msg);
    }
}

MetaStore::Tx::Tx(MetaStore& s) : s_(s) { s_.exec("BEGIN IMMEDIATE"); }
MetaStore::Tx::~Tx() {
    if (!done_) sqlite3_exec(s_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}
void MetaStore::Tx::commit() {
    s_.exec("COMMIT");
    done_ = true;
}

std::optional<SnapshotRow> MetaStore::get(const std::string& key) {
    auto s = prepare(db_, fmt::format("SELECT {} FROM snapshots WHERE key = ?", kColumns).c_str());
    bind_value(db_, s.get(), 1, key);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return read_row(s.get());
    if (rc != SQLITE_DONE) fail(db_, "get " + key);
    return std::nullopt;
}

std::optional<SnapshotRow> MetaStore::by_device(uint32_t id) {
    auto s = prepare(db_, fmt::format("SELECT {} FROM snapshots WHERE device_id = ?", kColumns).c_str());
    bind_value(db_, s.get(), 1, static_cast<int64_t>(id));
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return read_row(s.get());
    if (rc != SQLITE_DONE) fail(db_, "get device");
    return std::nullopt;
}

std::vector<SnapshotRow> MetaStore::all() {
    auto s = prepare(db_, fmt::format("SELECT {} FROM snapshots ORDER BY created", kColumns).c_str());
    std::vector<SnapshotRow> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(read_row(s.get()));
    if (rc != SQLITE_DONE) fail(db_, "list");
    return out;
}

void MetaStore::insert(const SnapshotRow& row) {
    auto s = prepare(db_, fmt::format("INSERT INTO snapshots ({}) VALUES (?,?,?,?,?,?,?,?,?,?)", kColumns).c_str());
    bind_row(db_, s.get(), row);
    step_done(db_, s.get(), "insert " + row.key);
}

void MetaStore::update(const std::string& old_key, const SnapshotRow& row) {
    auto s = prepare(db_, "UPDATE snapshots SET key=?, parent=?, kind=?, state=?, device_id=?, size=?, usage=?,"
                          " created=?, updated=?, labels=? WHERE key=?");
    bind_row(db_, s.get(), row);
    bind_value(db_, s.get(), 11, old_key);
    step_done(db_, s.get(), "update " + old_key);
    if (sqlite3_changes(db_) != 1) throw Error("metadata database: no row {} to update", old_key);
}

void MetaStore::erase(const std::string& key) {
    auto s = prepare(db_, "DELETE FROM snapshots WHERE key = ?");
    bind_value(db_, s.get(), 1, key);
    step_done(db_, s.get(), "delete " + key);
}

int MetaStore::children_of(const std::string& key) {
    auto s = prepare(db_, "SELECT COUNT(*) FROM snapshots WHERE parent = ? AND state != 'removing'");
    bind_value(db_, s.get(), 1, key);
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db_, "count children");
    return sqlite3_column_int(s.get(), 0);
}

std::optional<std::string> MetaStore::meta(const std::string& k) {
    auto s = prepare(db_, "SELECT v FROM meta WHERE k = ?");
    bind_value(db_, s.get(), 1, k);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW) return col_text(s.get(), 0);
    if (rc != SQLITE_DONE) fail(db_, "meta " + k);
    return std::nullopt;
}

void MetaStore::set_meta(const std::string& k, const std::string& v) {
    auto s = prepare(db_, "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
    bind_value(db_, s.get(), 1, k);
    bind_value(db_, s.get(), 2, v);
    step_done(db_, s.get(), "set meta " + k);
}

uint32_t MetaStore::allocate_device_id() {
    auto cur = meta("next_device_id");
    uint32_t id = cur ? static_cast<uint32_t>(std::stoul(*cur)) : 1;
    if (id >= (1u << 24)) throw Error("metadata database: thin device ids exhausted (24 bits)");
    set_meta("next_device_id", std::to_string(id + 1));
    return id;
}

uint64_t MetaStore::total_size() {
    auto s = prepare(db_, "SELECT COALESCE(SUM(size), 0) FROM snapshots");
    if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db_, "sum sizes");
    return static_cast<uint64_t>(sqlite3_column_int64(s.get(), 0));
}

}  // namespace mogu::snap
