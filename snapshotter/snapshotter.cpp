#include "snapshotter/snapshotter.h"

#include "common/failpoint.h"
#include "common/log.h"
#include "common/strings.h"
#include "snapshotter/dm/device_mapper.h"
#include "snapshotter/errors.h"
#include "snapshotter/mkfs.h"
#include "snapshotter/sizes.h"

#include <unistd.h>

#include <cstdlib>
#include <set>

namespace mogu::snap {
namespace {

std::string removing_key(uint32_t id) { return fmt::format("~removing~{}", id); }

Info info_of(const SnapshotRow& r) { return {r.key, r.parent, r.kind, r.created_ns, r.updated_ns, r.labels}; }

}  // namespace

SnapshotRow Snapshotter::visible(const std::string& key) {
    if (key.empty()) throw SnapError(ErrorKind::invalid_argument, "snapshot key is empty");
    auto r = store_.get(key);
    if (!r || r->state != "ready") throw SnapError(ErrorKind::not_found, "snapshot {} does not exist", key);
    return *r;
}

Snapshotter::Capacity Snapshotter::capacity() {
    auto st = pool_.status();
    Capacity cap;
    cap.data_bytes = st.data_bytes();
    cap.reserve = c_.reserve_for(cap.data_bytes);
    uint64_t room = cap.data_bytes > cap.reserve ? cap.data_bytes - cap.reserve : 0;
    cap.limit = static_cast<uint64_t>(static_cast<double>(room) * c_.overprovision_ratio);
    auto base_size = store_.meta("base_size");
    cap.committed = store_.total_size() + (base_size ? std::stoull(*base_size) : 0);
    cap.devices = store_.all().size() + (base_size ? 1 : 0);
    return cap;
}

void Snapshotter::check_room(uint64_t bytes) {
    auto st = pool_.status();
    if (st.mode != "rw")
        throw SnapError(ErrorKind::exhausted, "pool {} is in mode {} (needs_check={}): no new snapshots", pool_.name(), st.mode,
                        st.needs_check);
    if (st.data_use_percent() >= c_.low_water_mark_percent || st.meta_use_percent() >= c_.low_water_mark_percent)
        throw SnapError(ErrorKind::exhausted,
                        "pool {} is past its low-water mark ({}%): data {}% used ({} of {}), metadata {}% used; "
                        "no new snapshots until space is freed",
                        pool_.name(), c_.low_water_mark_percent, st.data_use_percent(), format_size(st.used_data_bytes()),
                        format_size(st.data_bytes()), st.meta_use_percent());
    auto cap = capacity();
    if (cap.committed + bytes > cap.limit)
        throw SnapError(ErrorKind::exhausted,
                        "pool {} has no room for another {} thin device without over-provisioning: {} is committed to {} "
                        "device(s), {} may be (data {}, reserve {}, overprovision_ratio {}); {} is free",
                        pool_.name(), format_size(bytes), format_size(cap.committed), cap.devices, format_size(cap.limit),
                        format_size(cap.data_bytes), format_size(cap.reserve), c_.overprovision_ratio,
                        format_size(cap.limit > cap.committed ? cap.limit - cap.committed : 0));
}

std::vector<Mount> Snapshotter::mounts_of(const SnapshotRow& r) const {
    Mount m{c_.fs_type, dm::node_path(pool_.thin_name(r.device_id)), {"nodiscard"}};
    if (r.kind == Kind::view) m.options.push_back("ro");
    return {m};
}

std::vector<Mount> Snapshotter::prepare(const std::string& key, const std::string& parent, const Labels& labels) {
    return create(Kind::active, key, parent, labels);
}

std::vector<Mount> Snapshotter::view(const std::string& key, const std::string& parent, const Labels& labels) {
    return create(Kind::view, key, parent, labels);
}

std::vector<Mount> Snapshotter::create(Kind kind, const std::string& key, const std::string& parent, const Labels& labels) {
    std::lock_guard lock(mu_);
    if (key.empty()) throw SnapError(ErrorKind::invalid_argument, "snapshot key is empty");
    if (key.rfind("~removing~", 0) == 0) throw SnapError(ErrorKind::invalid_argument, "snapshot key {} is reserved", key);
    if (auto existing = store_.get(key); existing && existing->state == "ready")
        throw SnapError(ErrorKind::already_exists, "snapshot {} already exists", key);
    uint32_t origin;
    uint64_t size;
    if (parent.empty()) {
        auto base = store_.meta("base_device_id");
        if (!base) throw SnapError(ErrorKind::unavailable, "pool {} has no base device yet", pool_.name());
        origin = static_cast<uint32_t>(std::stoul(*base));
        size = std::stoull(store_.meta("base_size").value());
    } else {
        auto p = store_.get(parent);
        if (!p || p->state != "ready") throw SnapError(ErrorKind::not_found, "parent snapshot {} does not exist", parent);
        if (p->kind != Kind::committed)
            throw SnapError(ErrorKind::failed_precondition, "parent snapshot {} is not committed (it is {})", parent,
                            kind_name(p->kind));
        origin = p->device_id;
        size = p->size;
    }
    check_room(size);

    SnapshotRow row;
    row.key = key;
    row.parent = parent;
    row.kind = kind;
    row.state = "creating";
    row.size = size;
    row.created_ns = row.updated_ns = now_ns();
    row.labels = labels;
    {
        MetaStore::Tx tx(store_);
        row.device_id = store_.allocate_device_id();
        store_.insert(row);
        tx.commit();
    }
    std::string name = pool_.thin_name(row.device_id);
    try {
        pool_.create_snap(row.device_id, origin);
        failpoint("prepare-after-snap");
        pool_.activate_thin(name, row.device_id, size);
        row.state = "ready";
        MetaStore::Tx tx(store_);
        store_.update(key, row);
        tx.commit();
    } catch (...) {
        // Undo in reverse; the original error is the one worth reporting.
        try { pool_.deactivate_thin(name); } catch (const std::exception& e) { log::warn("undo prepare {}: {}", key, e.what()); }
        try { pool_.delete_thin(row.device_id); } catch (const std::exception& e) { log::warn("undo prepare {}: {}", key, e.what()); }
        try { MetaStore::Tx tx(store_); store_.erase(key); tx.commit(); } catch (const std::exception& e) {
            log::warn("undo prepare {}: {}", key, e.what());
        }
        throw;
    }
    log::debug("prepared {} (device {}, parent {})", key, row.device_id, parent.empty() ? "base" : parent);
    return mounts_of(row);
}

std::vector<Mount> Snapshotter::mounts(const std::string& key) {
    std::lock_guard lock(mu_);
    auto r = visible(key);
    if (r.kind == Kind::committed)
        throw SnapError(ErrorKind::failed_precondition, "snapshot {} is committed: it has no mounts (prepare a child)", key);
    return mounts_of(r);
}

void Snapshotter::commit(const std::string& name, const std::string& key, const Labels& labels) {
    std::lock_guard lock(mu_);
    auto r = visible(key);
    if (r.kind != Kind::active)
        throw SnapError(ErrorKind::failed_precondition, "snapshot {} is {}: only active snapshots can be committed", key,
                        kind_name(r.kind));
    if (name.empty()) throw SnapError(ErrorKind::invalid_argument, "commit name is empty");
    if (auto existing = store_.get(name); existing && existing->state == "ready")
        throw SnapError(ErrorKind::already_exists, "snapshot {} already exists", name);
    std::string dev = pool_.thin_name(r.device_id);
    uint64_t used = pool_.mapped_bytes(dev);
    try {
        pool_.deactivate_thin(dev);
    } catch (const SysError& e) {
        throw SnapError(ErrorKind::failed_precondition, "commit {}: {} (unmount it first)", key, e.what());
    }
    // A crash or power cut here leaves the snapshot active in the database over a thin device
    // that is no longer active: start-up activates it again and the commit can be repeated.
    failpoint("commit-after-deactivate");
    std::string old = r.key;
    r.key = name;
    r.kind = Kind::committed;
    r.usage = used;
    r.updated_ns = now_ns();
    for (auto& [k, v] : labels) r.labels[k] = v;
    MetaStore::Tx tx(store_);
    store_.update(old, r);
    tx.commit();
}

void Snapshotter::remove(const std::string& key) {
    std::lock_guard lock(mu_);
    auto r = visible(key);
    int children = store_.children_of(key);
    if (children > 0)
        throw SnapError(ErrorKind::failed_precondition, "snapshot {} has {} child snapshot(s): remove them first", key, children);
    // Rename out of the way first: the key is free again at once, and a crash leaves a row that
    // start-up finishes removing.
    SnapshotRow gone = r;
    gone.key = removing_key(r.device_id);
    gone.state = "removing";
    {
        MetaStore::Tx tx(store_);
        store_.update(key, gone);
        tx.commit();
    }
    if (c_.async_remove) return;
    try {
        pool_.deactivate_thin(pool_.thin_name(r.device_id));
    } catch (const std::exception& e) {
        // Still in use: the snapshot stays as it was.
        MetaStore::Tx tx(store_);
        store_.update(gone.key, r);
        tx.commit();
        throw SnapError(ErrorKind::failed_precondition, "remove {}: {}", key, e.what());
    }
    finish_remove(gone);
}

void Snapshotter::finish_remove(const SnapshotRow& r) {
    pool_.deactivate_thin(pool_.thin_name(r.device_id));
    failpoint("remove-after-deactivate");
    pool_.delete_thin(r.device_id);
    MetaStore::Tx tx(store_);
    store_.erase(r.key);
    tx.commit();
}

Info Snapshotter::stat(const std::string& key) {
    std::lock_guard lock(mu_);
    return info_of(visible(key));
}

Info Snapshotter::update(const Info& info, const std::vector<std::string>& fieldpaths) {
    std::lock_guard lock(mu_);
    auto r = visible(info.name);
    if (fieldpaths.empty()) {
        r.labels = info.labels;
    } else {
        for (auto& path : fieldpaths) {
            if (path == "labels") {
                r.labels = info.labels;
            } else if (path.rfind("labels.", 0) == 0) {
                std::string k = path.substr(7);
                if (auto it = info.labels.find(k); it != info.labels.end()) r.labels[k] = it->second;
                else r.labels.erase(k);
            } else {
                throw SnapError(ErrorKind::invalid_argument, "cannot update field \"{}\" of snapshot {}: only labels change",
                                path, info.name);
            }
        }
    }
    r.updated_ns = now_ns();
    MetaStore::Tx tx(store_);
    store_.update(r.key, r);
    tx.commit();
    return info_of(r);
}

std::vector<Info> Snapshotter::list(const std::vector<std::string>& filters) {
    std::lock_guard lock(mu_);
    std::vector<Info> out;
    for (auto& r : store_.all()) {
        if (r.state != "ready") continue;
        Info i = info_of(r);
        bool keep = filters.empty();
        for (auto& f : filters) keep = keep || matches_filter(i, f);
        if (keep) out.push_back(std::move(i));
    }
    return out;
}

Usage Snapshotter::usage(const std::string& key) {
    std::lock_guard lock(mu_);
    auto r = visible(key);
    Usage u;
    u.size = static_cast<int64_t>(r.kind == Kind::committed ? r.usage : pool_.mapped_bytes(pool_.thin_name(r.device_id)));
    return u;
}

void Snapshotter::cleanup() {
    std::lock_guard lock(mu_);
    // A device still in use is left for the next Cleanup; the others go.
    std::string first_error;
    for (auto& r : store_.all()) {
        if (r.state != "removing") continue;
        try {
            finish_remove(r);
        } catch (const std::exception& e) {
            log::warn("cleanup of device {}: {}", r.device_id, e.what());
            if (first_error.empty()) first_error = e.what();
        }
    }
    if (!first_error.empty()) throw SnapError(ErrorKind::failed_precondition, "cleanup: {}", first_error);
}

void Snapshotter::ensure_base(std::vector<std::string>& repairs) {
    auto base = store_.meta("base_device_id");
    auto state = store_.meta("base_state");
    if (base && state == "ready") return;
    if (base) {  // a crash while it was being made
        uint32_t id = static_cast<uint32_t>(std::stoul(*base));
        pool_.deactivate_thin(pool_.thin_name(id));
        pool_.delete_thin(id);
        repairs.push_back(fmt::format("half-made base device {} removed", id));
    }
    check_room(c_.base_image_size);
    uint32_t id;
    {
        MetaStore::Tx tx(store_);
        id = store_.allocate_device_id();
        store_.set_meta("base_device_id", std::to_string(id));
        store_.set_meta("base_size", std::to_string(c_.base_image_size));
        store_.set_meta("base_state", "creating");
        tx.commit();
    }
    std::string name = pool_.thin_name(id);
    pool_.create_thin(id);
    pool_.activate_thin(name, id, c_.base_image_size);
    try {
        make_filesystem(c_.fs_type, dm::node_path(name), c_.fs_options);
    } catch (...) {
        pool_.deactivate_thin(name);
        throw;
    }
    pool_.deactivate_thin(name);
    MetaStore::Tx tx(store_);
    store_.set_meta("base_state", "ready");
    tx.commit();
    log::info("base device {} made: {} {}", id, c_.fs_type, format_size(c_.base_image_size));
}


std::vector<std::string> Snapshotter::start() {
    std::lock_guard lock(mu_);
    pool_.activate();  // cache first, then the pool; an active pool only has its cache mode checked
    auto repairs = reconcile();
    ensure_base(repairs);
    return repairs;
}

std::vector<std::string> Snapshotter::reconcile() {
    std::vector<std::string> repairs;
    auto records = pool_.list_from_metadata();
    std::set<uint32_t> in_pool;
    uint32_t max_id = 0;
    for (auto& t : records) { in_pool.insert(t.dev_id); max_id = std::max(max_id, t.dev_id); }
    auto rows = store_.all();
    auto base = store_.meta("base_device_id");
    if (!store_.meta("next_device_id") && !in_pool.empty())
        throw Error("metadata database {} is new, but pool {} holds {} thin device(s): was the database lost? "
                    "Nothing was changed. Get data out with `mogu-snapshotter recover --list` and `recover --device-id`, "
                    "then restore the database or `pool destroy`",
                    store_.path(), pool_.name(), in_pool.size());
    // Ids are never reused: keep the allocator past every device the pool knows.
    if (auto next = store_.meta("next_device_id"); next && std::stoul(*next) <= max_id) {
        MetaStore::Tx tx(store_);
        store_.set_meta("next_device_id", std::to_string(max_id + 1));
        tx.commit();
    }

    std::set<uint32_t> known;
    if (base) known.insert(static_cast<uint32_t>(std::stoul(*base)));
    for (auto& r : rows) {
        std::string dev = pool_.thin_name(r.device_id);
        if (r.state == "creating") {
            pool_.deactivate_thin(dev);
            pool_.delete_thin(r.device_id);
            MetaStore::Tx tx(store_);
            store_.erase(r.key);
            tx.commit();
            repairs.push_back(fmt::format("half-made snapshot {} (device {}) removed", r.key, r.device_id));
            continue;
        }
        if (r.state == "removing") {
            if (c_.async_remove) { known.insert(r.device_id); continue; }  // Cleanup's job
            finish_remove(r);
            repairs.push_back(fmt::format("interrupted removal of device {} finished", r.device_id));
            continue;
        }
        if (!in_pool.count(r.device_id)) {
            pool_.deactivate_thin(dev);
            MetaStore::Tx tx(store_);
            store_.erase(r.key);
            tx.commit();
            repairs.push_back(fmt::format("snapshot {} had no thin device {} in the pool: row removed", r.key, r.device_id));
            continue;
        }
        known.insert(r.device_id);
        bool is_active = dm::exists(dev);
        if (r.kind != Kind::committed && !is_active) {
            pool_.activate_thin(dev, r.device_id, r.size);
            log::info("activated {} for snapshot {}", dev, r.key);
        } else if (r.kind == Kind::committed && is_active) {
            pool_.deactivate_thin(dev);
            repairs.push_back(fmt::format("committed snapshot {} was still active: device {} deactivated", r.key, r.device_id));
        }
    }
    for (auto id : in_pool) {
        if (known.count(id)) continue;
        pool_.deactivate_thin(pool_.thin_name(id));
        pool_.delete_thin(id);
        repairs.push_back(fmt::format("thin device {} had no snapshot row: deleted", id));
    }
    // Active dm devices of this pool whose thin device is gone or unknown.
    std::string prefix = pool_.name() + "-snap-";
    for (auto& n : pool_.active_thin_devices()) {
        if (n.rfind(prefix, 0) != 0) continue;
        auto id = parse_uint(n.substr(prefix.size()));
        if (id && known.count(static_cast<uint32_t>(*id))) continue;
        pool_.deactivate_thin(n);
        repairs.push_back(fmt::format("stray device {} deactivated", n));
    }
    if (base && !in_pool.count(static_cast<uint32_t>(std::stoul(*base))) && store_.meta("base_state") == "ready") {
        MetaStore::Tx tx(store_);
        store_.set_meta("base_state", "missing");
        tx.commit();
        repairs.push_back(fmt::format("base device {} was missing from the pool: remade", *base));
    }
    return repairs;
}

bool matches_filter(const Info& info, const std::string& filter) {
    for (auto& clause_raw : split(filter, ',')) {
        std::string clause(trim(clause_raw));
        if (clause.empty()) continue;
        std::string field, op, value;
        auto pos = clause.find("==");
        auto neq = clause.find("!=");
        if (pos != std::string::npos) { field = clause.substr(0, pos); op = "=="; value = clause.substr(pos + 2); }
        else if (neq != std::string::npos) { field = clause.substr(0, neq); op = "!="; value = clause.substr(neq + 2); }
        else field = clause;
        field = std::string(trim(field));
        value = std::string(trim(value));
        auto unquote = [](std::string s) {
            if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
            return s;
        };
        value = unquote(value);
        std::optional<std::string> actual;
        if (field == "name") actual = info.name;
        else if (field == "parent") actual = info.parent;
        else if (field == "kind") actual = kind_name(info.kind);
        else if (field.rfind("labels.", 0) == 0) {
            auto it = info.labels.find(unquote(field.substr(7)));
            if (it != info.labels.end()) actual = it->second;
        } else {
            throw SnapError(ErrorKind::invalid_argument, "filter \"{}\": unknown field \"{}\" (name, parent, kind, labels.<key>)",
                            filter, field);
        }
        bool ok = op.empty() ? actual.has_value() : op == "==" ? (actual && *actual == value) : (!actual || *actual != value);
        if (!ok) return false;
    }
    return true;
}

}  // namespace mogu::snap
