#include "shim/task/checkpoint_options.h"

#include "common/error.h"

namespace mogu::shim {

CheckpointSettings checkpoint_settings_from_any(const pb::wkt::Any* any) {
    CheckpointSettings s;
    std::string url(any ? pbc::str(any->type_url) : "");
    if (url.empty()) return s;
    if (url != "containerd.runc.v1.CheckpointOptions")
        throw Error("checkpoint options of type {} are not supported (use containerd.runc.v1.CheckpointOptions)", url);
    auto o = pbc::unpack<pb::runc::CheckpointOptions>(pbc::bytes(any->value));
    if (!o) throw Error("checkpoint options: {} does not parse", url);
    s.exit = o->exit;
    s.open_tcp = o->open_tcp;
    s.external_unix_sockets = o->external_unix_sockets;
    s.terminal = o->terminal;
    s.file_locks = o->file_locks;
    s.empty_namespaces.assign(o->empty_namespaces, o->empty_namespaces + o->n_empty_namespaces);
    s.cgroups_mode = o->cgroups_mode;
    s.work_path = o->work_path;
    return s;
}

std::vector<std::string> checkpoint_args(const CheckpointSettings& s, const std::string& images, const std::string& work) {
    std::vector<std::string> args{"--image-path", images, "--work-path", work};
    if (!s.exit) args.push_back("--leave-running");
    if (s.open_tcp) args.push_back("--tcp-established");
    if (s.external_unix_sockets) args.push_back("--ext-unix-sk");
    if (s.terminal) args.push_back("--shell-job");
    if (s.file_locks) args.push_back("--file-locks");
    for (const auto& ns : s.empty_namespaces) args.insert(args.end(), {"--empty-ns", ns});
    if (!s.cgroups_mode.empty()) args.insert(args.end(), {"--manage-cgroups-mode", s.cgroups_mode});
    return args;
}

}  // namespace mogu::shim
