#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/strings.h"
#include "runtime/cli/command.h"

#include <cstdlib>

namespace mogu::cli {
namespace {

void parse_user(const std::string& s, oci::User& u) {
    auto parts = split(s, ':');
    auto uid = parse_uint(parts[0]);
    if (!uid || parts.size() > 2 || *uid > UINT32_MAX) throw UsageError("exec: --user must be UID[:GID] with numbers, not \"{}\"", s);
    u.uid = static_cast<uint32_t>(*uid);
    if (parts.size() == 2) {
        auto gid = parse_uint(parts[1]);
        if (!gid || *gid > UINT32_MAX) throw UsageError("exec: --user must be UID[:GID] with numbers, not \"{}\"", s);
        u.gid = static_cast<uint32_t>(*gid);
    }
}

oci::Process process_from_flags(const runtime::Context& ctx, const Args& a) {
    const auto& pos = a.positional();
    if (auto file = a.value("process")) {
        std::string text = *file == "-" ? read_file("/dev/stdin") : read_file(*file);
        auto doc = JsonDoc::parse(text, *file);
        try {
            return oci::parse_process(doc.root());
        } catch (const SpecError& e) {
            throw Error("--process {}: {}", *file, e.what());
        }
    }
    if (pos.size() < 2) throw UsageError("exec: give the command to run after the container id, or --process FILE");
    oci::Process p = runtime::exec_process_from_config(ctx, pos[0]);
    p.args.assign(pos.begin() + 1, pos.end());
    for (const auto& e : a.values("env")) {
        if (e.find('=') == std::string::npos) throw UsageError("exec: --env \"{}\" is not NAME=VALUE", e);
        std::string name = e.substr(0, e.find('=') + 1);
        std::erase_if(p.env, [&](const std::string& x) { return x.starts_with(name); });
        p.env.push_back(e);
    }
    if (auto cwd = a.value("cwd")) {
        if (cwd->empty() || (*cwd)[0] != '/') throw UsageError("exec: --cwd must be an absolute path, not \"{}\"", *cwd);
        p.cwd = *cwd;
    }
    if (auto user = a.value("user")) parse_user(*user, p.user);
    for (const auto& g : a.values("additional-gids")) {
        auto n = parse_uint(g);
        if (!n || *n > UINT32_MAX) throw UsageError("exec: --additional-gids takes numbers, not \"{}\"", g);
        p.user.additional_gids.push_back(static_cast<uint32_t>(*n));
    }
    p.terminal = a.flag("tty");
    if (a.flag("no-new-privs")) p.no_new_privileges = true;
    auto caps = a.values("cap");
    if (!caps.empty()) {
        if (!p.capabilities) p.capabilities = oci::Capabilities{};
        for (const auto& c : caps)
            for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted, &p.capabilities->ambient})
                set->push_back(c);
    }
    if (auto label = a.value("apparmor")) p.apparmor_profile = *label;
    if (auto label = a.value("process-label")) p.selinux_label = *label;
    return p;
}

int run_exec(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1);
    runtime::ExecOptions o;
    o.id = a.positional()[0];
    o.process = process_from_flags(ctx, a);
    if (a.value("process") && a.flag("tty")) o.process.terminal = true;
    o.pid_file = a.value_or("pid-file", "");
    o.console_socket = a.value_or("console-socket", "");
    o.detach = a.flag("detach");
    o.sub_cgroups = a.values("cgroup");
    o.ignore_paused = a.flag("ignore-paused");
    int64_t preserve = a.int_value("preserve-fds").value_or(0);
    if (preserve < 0 || preserve > (1 << 20)) throw UsageError("exec: --preserve-fds must be between 0 and {}, not {}", 1 << 20, preserve);
    o.preserve_fds = static_cast<int>(preserve);
    return runtime::exec(ctx, o);
}

}  // namespace

const Command exec_command = {
    "exec",
    "exec [command options] <container-id> <command> [command options]  ||  -p process.json <container-id>",
    "execute a new process inside the container",
    {
        {{"console-socket"}, true, false, "path to an AF_UNIX socket that receives the pty master"},
        {{"cwd"}, true, false, "current working directory in the container"},
        {{"env", "e"}, true, true, "set an environment variable (NAME=VALUE)"},
        {{"tty", "t"}, false, false, "allocate a pseudo-TTY"},
        {{"user", "u"}, true, false, "UID[:GID] to run as"},
        {{"additional-gids", "g"}, true, true, "additional gids"},
        {{"process", "p"}, true, false, "path to a process.json (- for stdin)"},
        {{"detach", "d"}, false, false, "detach from the process"},
        {{"pid-file"}, true, false, "file to write the process id to"},
        {{"process-label"}, true, false, "SELinux label for the process"},
        {{"apparmor"}, true, false, "AppArmor profile for the process"},
        {{"no-new-privs"}, false, false, "set no_new_privs for the process"},
        {{"cap", "c"}, true, true, "add a capability to the process"},
        {{"preserve-fds"}, true, false, "pass N additional file descriptors"},
        {{"cgroup"}, true, true, "run in an existing sub-cgroup of the container's: [CONTROLLER[,CONTROLLER]:]PATH"},
        {{"ignore-paused"}, false, false, "exec into a paused container: the process starts when it is resumed"},
    },
    run_exec,
    FlagPlacement::before_args,
    255,
    "exec failed: "};

}  // namespace mogu::cli
