#include "kvm-launcher/cli/verbs.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/vm_detect.h"
#include "kvm-launcher/host/accel.h"
#include "kvm-launcher/host/initramfs.h"
#include "kvm-launcher/host/kernel.h"
#include "kvm-launcher/host/vm_options.h"
#include "common/signal_name.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

namespace mogu::vmcli {
namespace {

const std::vector<cli::FlagSpec> kCreateFlags = {
    {{"bundle", "b"}, true, false, "path to the bundle (default: current directory)"},
    {{"pid-file"}, true, false, "file to write the keeper's pid to (it exits with the container's exit code)"},
    {{"console-socket"}, true, false, "unix socket that receives the terminal's master when process.terminal is set"},
    {{"no-pivot"}, false, false, "accepted for runc compatibility (the guest always pivots)"},
    {{"no-new-keyring"}, false, false, "accepted for runc compatibility"},
    {{"preserve-fds"}, true, false, "accepted for runc compatibility; fds cannot cross into a VM (must be 0)"},
};

void print(const std::string& s) {
    fwrite(s.data(), 1, s.size(), stdout);
    if (s.empty() || s.back() != '\n') fputc('\n', stdout);
}

vm::CreateOptions create_options(const cli::Args& a) {
    a.require_positional(1, 1);
    if (auto n = a.int_value("preserve-fds"); n && *n != 0)
        throw UsageError("--preserve-fds {}: file descriptors cannot be passed into a VM", *n);
    vm::CreateOptions o;
    o.id = a.positional()[0];
    o.bundle = a.value_or("bundle", ".");
    o.pid_file = a.value_or("pid-file", "");
    o.console_socket = a.value_or("console-socket", "");
    return o;
}

int run_create(const vm::Context& ctx, const cli::Args& a) {
    vm::create(ctx, create_options(a));
    return 0;
}

int run_run(const vm::Context& ctx, const cli::Args& a) { return vm::run(ctx, create_options(a), a.flag("detach")); }

int run_start(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    vm::start(ctx, a.positional()[0]);
    return 0;
}

int run_state(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    print(vm::state_json(vm::query(ctx, a.positional()[0])));
    return 0;
}

int run_list(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(0, 0);
    auto all = vm::list(ctx);
    if (a.flag("quiet")) {
        for (auto& c : all) printf("%s\n", c.id.c_str());
        return 0;
    }
    if (a.value_or("format", "table") == "json") {
        JsonWriter w;
        w.begin_array();
        for (auto& c : all)
            w.begin_object().kv("id", c.id).kv("pid", int64_t(c.pid)).kv("status", c.status).kv("bundle", c.bundle).kv("created", c.created).end_object();
        w.end_array();
        print(w.str());
        return 0;
    }
    printf("%-20s %-8s %-8s %-6s %s\n", "ID", "PID", "STATUS", "ACCEL", "BUNDLE");
    for (auto& c : all)
        printf("%-20s %-8d %-8s %-6s %s\n", c.id.c_str(), c.pid, c.status.c_str(), c.annotations[vm::kAccelAnnotation].c_str(), c.bundle.c_str());
    return 0;
}

int run_kill(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 2);
    int sig = a.positional().size() == 2 ? cli::parse_signal(a.positional()[1]) : SIGTERM;
    vm::kill(ctx, a.positional()[0], sig, a.flag("all"));
    return 0;
}

int run_delete(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    const std::string& id = a.positional()[0];
    if (!vm::is_vm_container(ctx.root, id)) {
        if (a.flag("force")) return 0;  // runc: delete --force of a missing container succeeds
        throw Error("container {} does not exist", id);
    }
    vm::remove(ctx, id, a.flag("force"));
    return 0;
}

int run_exec(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1);
    vm::ExecOptions o;
    o.id = a.positional()[0];
    if (auto p = a.value("process")) {
        o.process_json = *p == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : read_file(*p);
    } else {
        if (a.positional().size() < 2) throw UsageError("exec needs --process FILE or a command");
        // The container's own process with these args (runc's plain `exec ID CMD...`).
        auto cfg = read_file(path_join(vm::query(ctx, o.id).bundle, "config.json"));
        JsonDoc doc = JsonDoc::parse(cfg, "config.json");
        JsonWriter w;
        w.begin_object();
        auto proc = doc.root().get("process");
        if (proc)
            proc->for_each_member([&](std::string_view k, const Json& v) {
                if (k == "args" || k == "terminal") return;
                w.key(k);
                w.value(v);
            });
        w.kv("terminal", a.flag("tty"));
        w.key("args").string_array(std::vector<std::string>(a.positional().begin() + 1, a.positional().end()));
        w.end_object();
        o.process_json = w.str();
    }
    if (auto n = a.int_value("preserve-fds"); n && *n != 0)
        throw UsageError("--preserve-fds {}: file descriptors cannot be passed into a VM", *n);
    o.pid_file = a.value_or("pid-file", "");
    o.console_socket = a.value_or("console-socket", "");
    o.detach = a.flag("detach");
    return vm::exec(ctx, o);
}

int run_ps(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    auto pids = vm::pids(ctx, a.positional()[0]);
    if (a.value_or("format", "table") == "json") {
        JsonWriter w;
        w.begin_array();
        for (pid_t p : pids) w.value(int64_t(p));
        w.end_array();
        print(w.str());
    } else {
        printf("PID (in the guest)\n");
        for (pid_t p : pids) printf("%d\n", p);
    }
    return 0;
}

int run_pause(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    vm::pause(ctx, a.positional()[0]);
    return 0;
}

int run_resume(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    vm::resume(ctx, a.positional()[0]);
    return 0;
}

int run_update(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    std::string file = a.value_or("resources", "-");
    std::string json = file == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : read_file(file);
    vm::update(ctx, a.positional()[0], json);
    return 0;
}

// runc's `events --stats ID`: one record of the container's guest cgroup. The stream of records
// and OOM notices (events without --stats) is not offered: the guest's OOM kills do not reach
// the host yet.
int run_events(const vm::Context& ctx, const cli::Args& a) {
    a.require_positional(1, 1);
    if (!a.flag("stats"))
        throw UsageError("events: mogu-vm prints one stats record (--stats); it streams no events from a VM's guest");
    print(vm::stats_json(ctx, a.positional()[0]));
    return 0;
}

int run_features(const vm::Context&, const cli::Args& a) {
    a.require_positional(0, 0);
    JsonWriter w(true);
    w.begin_object().kv("ociVersionMin", "1.0.0").kv("ociVersionMax", "1.1.0");
    w.key("hooks").string_array({});
    w.key("linux").begin_object();
    w.key("namespaces").string_array({"cgroup", "ipc", "mount", "network", "pid", "uts", "user"});
    w.key("cgroup").begin_object().kv("v1", false).kv("v2", true).kv("systemd", false).end_object();
    w.end_object();
    w.key("annotations").begin_object().kv("io.mogu.vm.version", kVersion).kv(vm::kIsolationAnnotation, "vm").end_object();
    w.end_object();
    print(w.str());
    return 0;
}

// Set-up verbs: what a create would boot, made (and cached) now.
int run_kernel(const vm::Context&, const cli::Args& a) {
    a.require_positional(0, 1);
    vm::Kernel k = vm::find_kernel(a.positional().empty() ? "" : a.positional()[0]);
    printf("version %s\nimage %s\nvmlinux %s\nmodules %s\n", k.version.c_str(), k.image.c_str(), k.vmlinux.c_str(), k.modules.c_str());
    return 0;
}

int run_initramfs(const vm::Context&, const cli::Args& a) {
    a.require_positional(0, 1);
    vm::Kernel k = vm::find_kernel(a.positional().empty() ? "" : a.positional()[0]);
    print(vm::initramfs_for(k, vm::find_agent_binary()));
    return 0;
}

const std::vector<Verb> kVerbs = {
    {"create", "create [command options] <container-id>", "boot a VM and create a container in it", kCreateFlags, run_create},
    {"start", "start <container-id>", "start the process of a created container", {}, run_start},
    {"run", "run [command options] <container-id>", "create, start, wait and delete (unless --detach)",
     [] {
         auto f = kCreateFlags;
         f.push_back({{"detach", "d"}, false, false, "return once the container has started"});
         return f;
     }(),
     run_run},
    {"state", "state <container-id>", "print the container's state (runc's JSON)", {}, run_state},
    {"list", "list [command options]", "list containers",
     {{{"format", "f"}, true, false, "table or json"}, {{"quiet", "q"}, false, false, "ids only"}}, run_list},
    {"kill", "kill [command options] <container-id> [signal]", "send a signal (default SIGTERM) to the container's process",
     {{{"all", "a"}, false, false, "every process of the container"}}, run_kill},
    {"delete", "delete [command options] <container-id>", "stop the VM and remove every trace of the container",
     {{{"force", "f"}, false, false, "delete a running container"}}, run_delete},
    {"exec", "exec [command options] <container-id> [command...]", "run another process in the container",
     {{{"process", "p"}, true, false, "OCI process JSON file (- for stdin)"},
      {{"detach", "d"}, false, false, "return once started; --pid-file names the host process that waits"},
      {{"pid-file"}, true, false, "file to write the waiting host process's pid to"},
      {{"console-socket"}, true, false, "unix socket that receives the terminal's master"},
      {{"tty", "t"}, false, false, "give the process a terminal"},
      {{"preserve-fds"}, true, false, "accepted for runc compatibility; must be 0"}},
     run_exec},
    {"ps", "ps [command options] <container-id>", "the container's processes (guest pids)",
     {{{"format", "f"}, true, false, "table or json"}}, run_ps},
    {"pause", "pause <container-id>", "freeze the container's processes (in the guest)", {}, run_pause},
    {"resume", "resume <container-id>", "thaw the container's processes", {}, run_resume},
    {"update", "update [command options] <container-id>", "change the container's cgroup limits in the guest",
     {{{"resources", "r"}, true, false, "linux.resources JSON file (- for stdin)"}}, run_update},
    {"events", "events --stats <container-id>", "print the container's stats in the guest (runc's JSON record)",
     {{{"stats"}, false, false, "print one stats record and exit"},
      {{"interval"}, true, false, "accepted for runc compatibility"}}, run_events},
    {"features", "features", "show the supported features", {}, run_features},
    {"kernel", "kernel [version or path]", "show the guest kernel and extract (and cache) its ELF image", {}, run_kernel},
    {"initramfs", "initramfs [kernel version or path]", "build (and cache) the guest's initramfs; print its path", {}, run_initramfs},
};

}  // namespace

const std::vector<Verb>& verbs() { return kVerbs; }

}  // namespace mogu::vmcli
