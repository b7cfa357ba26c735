#include "snapshotter/dm/device_mapper.h"

#include "common/error.h"

#include <libdevmapper.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace mogu::dm {
namespace {

// libdevmapper reports through a log callback; keep the last error so our errors can say why.
thread_local std::string last_error;
thread_local int last_errno = 0;

void capture_log(int level, const char*, int, int dm_errno, const char* f, ...) {
    if ((level & 7) > 3) return;  // _LOG_ERR is 3; warnings and chatter are dropped
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    last_error = buf;
    if (dm_errno > 0) last_errno = dm_errno;
}

struct TaskFree {
    void operator()(dm_task* t) const { dm_task_destroy(t); }
};
using Task = std::unique_ptr<dm_task, TaskFree>;

Task make_task(int type, const std::string& name) {
    init_library();
    Task t(dm_task_create(type));
    if (!t) throw Error("device-mapper: cannot create a task (is the dm-mod module loaded?)");
    if (!name.empty() && !dm_task_set_name(t.get(), name.c_str()))
        throw Error("device-mapper: bad device name \"{}\"", name);
    return t;
}

// Runs a task; on failure throws with the errno and the library's last message.
void run(dm_task* t, const std::string& what) {
    last_error.clear();
    last_errno = 0;
    errno = 0;
    if (dm_task_run(t)) return;
    int err = last_errno ? last_errno : errno;
    std::string why = last_error.empty() ? std::string() : " (" + last_error + ")";
    if (err) throw SysError(err, "device-mapper: {}{}", what, why);
    throw Error("device-mapper: {} failed{}", what, why);
}

std::vector<Target> targets(dm_task* t) {
    std::vector<Target> out;
    void* next = nullptr;
    do {
        uint64_t start = 0, length = 0;
        char* type = nullptr;
        char* params = nullptr;
        next = dm_get_next_target(t, next, &start, &length, &type, &params);
        if (type) out.push_back({start, length, type, params ? params : ""});
    } while (next);
    return out;
}

void load_and_resume(int type, const std::string& name, const Target& table, bool read_only, const char* verb) {
    auto t = make_task(type, name);
    if (read_only) dm_task_set_ro(t.get());
    if (!dm_task_add_target(t.get(), table.start, table.length, table.type.c_str(), table.params.c_str()))
        throw Error("device-mapper: bad table for {}", name);
    if (type == DM_DEVICE_CREATE) dm_task_set_add_node(t.get(), DM_ADD_NODE_ON_CREATE);
    run(t.get(), fmt::format("{} {} ({} {} {})", verb, name, table.type, table.length, table.params));
    dm_task_update_nodes();
}

}  // namespace

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        setenv("DM_DISABLE_UDEV", "1", 0);
        dm_udev_set_sync_support(0);
        dm_log_with_errno_init(capture_log);
    });
}

DeviceInfo info(const std::string& name) {
    auto t = make_task(DM_DEVICE_INFO, name);
    run(t.get(), "info " + name);
    dm_info i{};
    if (!dm_task_get_info(t.get(), &i)) throw Error("device-mapper: no info for {}", name);
    DeviceInfo out;
    out.exists = i.exists;
    if (i.exists) {
        out.suspended = i.suspended;
        out.read_only = i.read_only;
        out.open_count = i.open_count;
        out.major = i.major;
        out.minor = i.minor;
    }
    return out;
}

bool exists(const std::string& name) { return info(name).exists; }

void create(const std::string& name, const Target& table, bool read_only) {
    load_and_resume(DM_DEVICE_CREATE, name, table, read_only, "create");
}

void reload(const std::string& name, const Target& table) {
    load_and_resume(DM_DEVICE_RELOAD, name, table, false, "reload");
    resume(name);
}

void remove(const std::string& name, int tries) {
    // An open device (mounted, or held by a process) cannot go: wait for it a while, then say so.
    for (int attempt = 1;; ++attempt) {
        auto i = info(name);
        if (!i.exists) return;
        if (i.open_count == 0) break;
        if (attempt >= tries)
            throw SysError(EBUSY, "device-mapper: {} is still in use (mounted or open, {} opener(s)) after {} tries", name,
                           i.open_count, tries);
        usleep(100 * 1000);
    }
    auto t = make_task(DM_DEVICE_REMOVE, name);
    run(t.get(), "remove " + name);
    dm_task_update_nodes();
}

void suspend(const std::string& name) {
    auto t = make_task(DM_DEVICE_SUSPEND, name);
    run(t.get(), "suspend " + name);
}

void resume(const std::string& name) {
    auto t = make_task(DM_DEVICE_RESUME, name);
    dm_task_set_add_node(t.get(), DM_ADD_NODE_ON_RESUME);
    run(t.get(), "resume " + name);
    dm_task_update_nodes();
}

std::vector<Target> table(const std::string& name) {
    auto t = make_task(DM_DEVICE_TABLE, name);
    run(t.get(), "table " + name);
    return targets(t.get());
}

std::vector<Target> status(const std::string& name) {
    auto t = make_task(DM_DEVICE_STATUS, name);
    run(t.get(), "status " + name);
    return targets(t.get());
}

std::string message(const std::string& name, const std::string& msg) {
    auto t = make_task(DM_DEVICE_TARGET_MSG, name);
    if (!dm_task_set_sector(t.get(), 0) || !dm_task_set_message(t.get(), msg.c_str()))
        throw Error("device-mapper: cannot build message \"{}\"", msg);
    run(t.get(), fmt::format("message \"{}\" to {}", msg, name));
    const char* r = dm_task_get_message_response(t.get());
    return r ? r : "";
}

std::vector<std::string> list_devices() {
    auto t = make_task(DM_DEVICE_LIST, "");
    run(t.get(), "list");
    std::vector<std::string> out;
    dm_names* n = dm_task_get_names(t.get());
    if (!n || !n->dev) return out;
    for (;;) {
        out.emplace_back(n->name);
        if (!n->next) break;
        n = reinterpret_cast<dm_names*>(reinterpret_cast<char*>(n) + n->next);
    }
    return out;
}

std::string node_path(const std::string& name) { return "/dev/mapper/" + name; }

}  // namespace mogu::dm
