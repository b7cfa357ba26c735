#include "monitor/discovery.h"

#include "common/error.h"
#include "common/files.h"
#include "common/vm_detect.h"
#include "runtime/proc_info.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>

namespace mogu::monitor {
namespace {

bool is_dir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The first annotation present of those named: CRI's name first, then dockershim's.
std::string annotation(const runtime::ContainerState& st, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        auto it = st.annotations.find(k);
        if (it != st.annotations.end()) return it->second;
    }
    return "";
}

// The runtime-shaped state of a VM container, from what vm.json records.
runtime::ContainerState state_of(const std::string& id, const vm::VmState& s) {
    runtime::ContainerState st;
    st.id = id;  // the directory names it
    st.pid = s.pid;
    st.start_time = s.pid_start;
    st.bundle = s.bundle;
    st.rootfs = s.rootfs;
    st.created = s.created;
    st.annotations = s.annotations;
    st.cgroup_path = s.cgroup;
    return st;
}

// A VM container as the collector reads it when its keeper runs; when it ended, its exit record
// goes to `ended` (if asked for). Nothing when it is gone or unreadable.
std::optional<FoundContainer> vm_container(const std::string& root, const std::string& id, std::vector<EndedVmContainer>* ended) {
    std::string dir = root + "/" + id + "/";
    vm::VmState s;
    try {
        auto text = read_file_if_exists(dir + vm::kVmStateFile);
        if (!text) return std::nullopt;  // deleted while listed
        s = vm::state_from_json(*text, dir + vm::kVmStateFile);
    } catch (const Error&) {
        return std::nullopt;  // being written for the first time, or not ours
    }
    if (s.pid <= 0 || s.cgroup.empty()) return std::nullopt;
    if (!runtime::process_alive(s.pid, s.pid_start)) {
        if (!ended) return std::nullopt;
        std::string file = dir + vm::kVmExitFile;
        struct stat st;
        try {
            auto text = read_file_if_exists(file);
            if (!text || ::stat(file.c_str(), &st) != 0) return std::nullopt;  // not ended yet, or deleted
            ended->push_back(EndedVmContainer{root, state_of(id, s), vm::exit_from_json(*text, file), int64_t(st.st_mtime)});
        } catch (const Error&) {
            // A torn record cannot be: the keeper writes it atomically. Whatever it is, not ours.
        }
        return std::nullopt;
    }
    FoundContainer f{root, {}, std::nullopt};
    f.view.state = state_of(id, s);
    f.view.status = runtime::Status::running;
    f.vm = std::move(s);
    return f;
}

}  // namespace

std::vector<std::string> expand_roots(const std::vector<std::string>& patterns) {
    std::vector<std::string> out;
    for (const auto& p : patterns) {
        glob_t g{};
        if (::glob(p.c_str(), GLOB_NOSORT, nullptr, &g) == 0)
            for (size_t i = 0; i < g.gl_pathc; ++i)
                if (is_dir(g.gl_pathv[i])) out.emplace_back(g.gl_pathv[i]);
        ::globfree(&g);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<FoundContainer> find_containers(const std::vector<std::string>& roots, std::vector<EndedVmContainer>* ended) {
    std::vector<FoundContainer> out;
    for (const auto& root : roots) {
        runtime::Context ctx;
        ctx.root = root;
        std::vector<runtime::ContainerView> views;
        try {
            views = runtime::list(ctx);  // skips what does not parse or went away
        } catch (const Error&) {
            continue;  // the root went away, or cannot be read: nothing of it this time
        }
        for (auto& v : views) {
            if (v.status == runtime::Status::stopped || v.status == runtime::Status::creating) continue;
            if (vm::is_vm_container(root, v.state.id)) continue;
            out.push_back(FoundContainer{root, std::move(v), std::nullopt});
        }
        for (const auto& id : vm::list_vm_containers(root))
            if (auto f = vm_container(root, id, ended)) out.push_back(std::move(*f));
    }
    return out;
}

std::string containerd_namespace_of(const std::string& bundle) {
    static const std::string marker = "/io.containerd.runtime.v2.task/";
    auto at = bundle.find(marker);
    if (at == std::string::npos) return "";
    auto ns_start = at + marker.size();
    auto slash = bundle.find('/', ns_start);
    if (slash == std::string::npos || slash == ns_start) return "";
    return bundle.substr(ns_start, slash - ns_start);
}

Labels container_labels(const runtime::ContainerState& st, const DockerIdentity* docker) {
    return {
        {"id", st.cgroup_path},
        {"name", docker ? docker->name : st.id},
        {"containerd_namespace", containerd_namespace_of(st.bundle)},
        {"namespace", annotation(st, {"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"})},
        {"pod", annotation(st, {"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"})},
        {"container", annotation(st, {"io.kubernetes.cri.container-name", "io.kubernetes.container.name"})},
        {"image", docker ? docker->image : annotation(st, {"io.kubernetes.cri.image-name"})},
    };
}

}  // namespace mogu::monitor
