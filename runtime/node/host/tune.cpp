#include "runtime/node/host/tune.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "runtime/node/host/probes.h"

#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/core.h>

namespace mogu::node {
namespace {

std::string rights_hint(int err) {
    if (err == EROFS) return " (mogu tune cannot work in a container or with /proc/sys or /etc mounted read-only)";
    if (err == EACCES || err == EPERM) return " (mogu tune needs root: write access to /proc/sys, /etc/sysctl.d and /var/lib/mogu)";
    return "";
}

// "<what>: <strerror>", then what to do about it.
[[noreturn]] void fail_with(int err, const std::string& what) { throw Error("{}: {}{}", what, strerror(err), rights_hint(err)); }

// A /proc/sys file opened for writing before any change, so a missing right shows up first.
struct OpenSysctl {
    std::string key;
    UniqueFd fd;
};

OpenSysctl open_for_write(const std::string& key) {
    auto path = sysctl_path(key);
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) fail_with(errno, fmt::format("open {} for writing", path));
    return {key, std::move(fd)};
}

void write_value(const OpenSysctl& s, const std::string& value) {
    std::string v = value + "\n";
    if (pwrite(s.fd.get(), v.data(), v.size(), 0) != static_cast<ssize_t>(v.size()))
        fail_with(errno, fmt::format("write \"{}\" to {}", value, sysctl_path(s.key)));
}

// A directory we will write a file in: exists (made if needed), writable, not read-only.
void require_writable_dir(const std::string& dir) {
    try {
        mkdir_p(dir);
    } catch (const SysError& e) {
        throw Error("{}{}", e.what(), rights_hint(e.code()));
    }
    struct statvfs st;
    if (statvfs(dir.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY)) fail_with(EROFS, dir);
    if (access(dir.c_str(), W_OK) != 0) fail_with(errno, dir);
}

// Values written so far; written back (in reverse) unless committed.
class ValueWrites {
public:
    void wrote(const OpenSysctl* s, std::string old) { done_.push_back({s, std::move(old)}); }
    void commit() { done_.clear(); }
    ~ValueWrites() {
        for (auto it = done_.rbegin(); it != done_.rend(); ++it) {
            std::string v = it->second + "\n";
            (void)!pwrite(it->first->fd.get(), v.data(), v.size(), 0);
        }
    }

private:
    std::vector<std::pair<const OpenSysctl*, std::string>> done_;
};

// A file replaced; its old text (or its absence) comes back unless committed.
class FileReplacement {
public:
    FileReplacement(std::string path, std::optional<std::string> old) : path_(std::move(path)), old_(std::move(old)) {}
    void commit() { committed_ = true; }
    ~FileReplacement() {
        if (committed_) return;
        try {
            if (old_) write_file_atomic(path_, *old_);
            else ::unlink(path_.c_str());
        } catch (...) {
        }
    }

private:
    std::string path_;
    std::optional<std::string> old_;
    bool committed_ = false;
};

}  // namespace

TunePlan plan_tune_here(const std::string& profile_name) {
    HostFacts facts{mem_total_kb()};
    auto settings = profile(profile_name, facts);
    if (!settings) return make_tune_plan(profile_name, facts, {});  // throws, naming the known profiles
    std::vector<std::string> keys;
    for (const auto& s : *settings) keys.push_back(s.key);
    return make_tune_plan(profile_name, facts, read_sysctls(keys));
}

std::string apply_tune(const TunePlan& plan, const TunePaths& paths) {
    // Rights first: every value and both directories, before anything changes.
    std::vector<OpenSysctl> files;
    files.reserve(plan.changes.size());
    for (const auto& c : plan.changes)
        if (c.present && c.needed) files.push_back(open_for_write(c.setting.key));
    require_writable_dir(dirname_of(paths.conf));
    require_writable_dir(dirname_of(paths.saved));

    auto saved_text = read_file_if_exists(paths.saved);
    std::optional<SavedState> previous;
    if (saved_text) previous = parse_saved_state(*saved_text, paths.saved);
    auto conf_now = read_file_if_exists(paths.conf);
    auto state = merge_saved_state(previous, conf_now, plan);

    FileReplacement saved_undo(paths.saved, saved_text);
    write_file_atomic(paths.saved, saved_state_json(state), 0600);
    FileReplacement conf_undo(paths.conf, conf_now);
    write_file_atomic(paths.conf, plan.conf_text, 0644);

    std::string out;
    ValueWrites values;
    size_t i = 0;
    for (const auto& c : plan.changes) {
        if (!c.present || !c.needed) continue;
        const auto& f = files[i++];
        write_value(f, c.setting.target);
        values.wrote(&f, *c.current);
        out += fmt::format("{}: {} -> {}\n", c.setting.key, *c.current, c.setting.target);
    }
    values.commit();
    conf_undo.commit();
    saved_undo.commit();
    out += fmt::format("profile {} applied: {} value(s) changed, {} written (mogu tune --revert undoes it)\n", plan.profile, i,
                       paths.conf);
    return out;
}

std::string revert_tune(const TunePaths& paths) {
    auto text = read_file_if_exists(paths.saved);
    if (!text) throw Error("nothing to revert: {} does not exist (mogu tune has not run, or was reverted)", paths.saved);
    auto state = parse_saved_state(*text, paths.saved);

    std::vector<OpenSysctl> files;
    std::vector<std::string> old_values;
    for (const auto& [key, value] : state.values) {
        if (!path_exists(sysctl_path(key))) continue;  // a module's key that went away with its module: nothing to restore
        files.push_back(open_for_write(key));
        old_values.push_back(value);
    }
    require_writable_dir(dirname_of(paths.conf));
    require_writable_dir(dirname_of(paths.saved));

    std::vector<std::string> current;
    for (const auto& f : files) current.push_back(std::string(read_file(sysctl_path(f.key))));
    auto conf_now = read_file_if_exists(paths.conf);
    FileReplacement conf_undo(paths.conf, conf_now);
    if (state.conf) write_file_atomic(paths.conf, *state.conf, 0644);
    else if (conf_now && ::unlink(paths.conf.c_str()) != 0) throw SysError(errno, "remove {}", paths.conf);

    std::string out;
    ValueWrites values;
    for (size_t i = 0; i < files.size(); ++i) {
        write_value(files[i], old_values[i]);
        std::string cur = current[i];
        while (!cur.empty() && (cur.back() == '\n')) cur.pop_back();
        values.wrote(&files[i], cur);
        out += fmt::format("{}: {} -> {}\n", files[i].key, cur, old_values[i]);
    }
    if (::unlink(paths.saved.c_str()) != 0) throw SysError(errno, "remove {}", paths.saved);
    values.commit();
    conf_undo.commit();
    out += fmt::format("reverted: {} value(s) restored, {} {}\n", files.size(), paths.conf,
                       state.conf ? "restored" : "removed (there was none before)");
    return out;
}

}  // namespace mogu::node
