#include "kvm-launcher/host/guest_request.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace mogu::vm {
namespace {

std::string real_path(const std::string& p, const std::string& what) {
    char buf[PATH_MAX];
    if (!realpath(p.c_str(), buf)) throw SysError(errno, "{} {}", what, p);
    return buf;
}

bool is_bind(const oci::Mount& m) {
    return m.type == "bind" || std::any_of(m.options.begin(), m.options.end(), [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

void refuse_hooks(const oci::Hooks& h) {
    const std::pair<const char*, const std::vector<oci::Hook>*> kinds[] = {
        {"prestart", &h.prestart}, {"createRuntime", &h.create_runtime}, {"createContainer", &h.create_container},
        {"startContainer", &h.start_container}, {"poststart", &h.poststart}, {"poststop", &h.poststop}};
    for (auto& [name, list] : kinds)
        if (!list->empty())
            throw SpecError(std::string("hooks.") + name, "hooks are host programs; a VM container (io.mogu.isolation=vm) cannot run them");
}

constexpr const char* kNotAFile =
    "bind mounts of host directories and devices ({}) cannot cross into a VM; only files can";

}  // namespace

void refuse_directories(const PreparedBundle& b) {
    if (!b.directories.empty())
        throw SpecError(fmt::format("mounts[{}]", b.directories[0].index), kNotAFile, b.directories[0].source);
}

PreparedBundle prepare_bundle(const std::string& bundle_arg, bool allow_directories) {
    PreparedBundle p;
    p.bundle = real_path(bundle_arg, "bundle");
    std::string config = path_join(p.bundle, "config.json");
    p.config_json = read_file(config);
    p.spec = oci::load_spec(config);
    if (!p.spec.process) throw SpecError("process", "a container needs a process to run");
    if (p.spec.root.path.empty()) throw SpecError("root.path", "the rootfs is not set");
    std::string root = p.spec.root.path[0] == '/' ? p.spec.root.path : path_join(p.bundle, p.spec.root.path);
    p.rootfs = real_path(root, "rootfs");
    struct stat st {};
    if (stat(p.rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) throw Error("rootfs {} is not a directory", p.rootfs);
    refuse_hooks(p.spec.hooks);

    for (size_t i = 0; i < p.spec.mounts.size(); i++) {
        const auto& m = p.spec.mounts[i];
        if (!is_bind(m)) continue;
        std::string where = fmt::format("mounts[{}]", i);
        struct stat ms {};
        if (stat(m.source.c_str(), &ms) < 0) throw SpecError(where, "bind source {}: {}", m.source, strerror(errno));
        if (S_ISDIR(ms.st_mode) && allow_directories) {
            bool ro = std::find(m.options.begin(), m.options.end(), "ro") != m.options.end();
            p.directories.push_back({i, m.source, real_path(m.source, where + " source"), m.destination, ro});
            continue;
        }
        if (!S_ISREG(ms.st_mode)) throw SpecError(where, kNotAFile, m.source);
        if (size_t(ms.st_size) > kMaxHostFile)
            throw SpecError(where, "bind source {} is {} bytes; files up to {} bytes can be copied into a VM", m.source,
                            ms.st_size, kMaxHostFile);
        if (std::any_of(p.files.begin(), p.files.end(), [&](const auto& f) { return f.source() == m.source; })) continue;
        agent::v1::HostFile f;
        f.set_source(m.source);
        f.set_content(read_file(m.source));
        f.set_mode(ms.st_mode & 07777);
        p.files.push_back(std::move(f));
    }
    return p;
}

}  // namespace mogu::vm
