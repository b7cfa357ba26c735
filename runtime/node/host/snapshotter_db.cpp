#include "runtime/node/host/snapshotter_db.h"

#include "common/error.h"
#include "common/files.h"

#include <sqlite3.h>

#include <memory>

namespace mogu::node {
namespace {

struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// One row of one query: its first two columns as integers.
std::pair<int64_t, int64_t> query_pair(sqlite3* db, const std::string& path, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) throw Error("{}: {}", path, sqlite3_errmsg(db));
    std::unique_ptr<sqlite3_stmt, Finalize> s(raw);
    int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return {0, 0};
    if (rc != SQLITE_ROW) throw Error("{}: {}", path, sqlite3_errmsg(db));
    return {sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1)};
}

}  // namespace

std::optional<Committed> read_committed(const std::string& db_path) {
    if (!path_exists(db_path)) return std::nullopt;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, CloseDb> db(raw);
    if (rc != SQLITE_OK) throw Error("{}: {}", db_path, raw ? sqlite3_errmsg(raw) : "out of memory");
    sqlite3_busy_timeout(db.get(), 2000);
    Committed c;
    auto [sum, count] = query_pair(db.get(), db_path, "SELECT COALESCE(SUM(size), 0), COUNT(*) FROM snapshots");
    auto [base, has_base] = query_pair(db.get(), db_path, "SELECT COALESCE(MAX(CAST(v AS INTEGER)), 0), COUNT(*) FROM meta WHERE k = 'base_size'");
    c.bytes = static_cast<uint64_t>(sum + base);
    c.devices = static_cast<size_t>(count + (has_base ? 1 : 0));
    return c;
}

}  // namespace mogu::node
