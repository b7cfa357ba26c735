// Overlay, veth and bridge in the running kernel: registered, loaded, or a module to load.
#include "common/files.h"
#include "common/strings.h"
#include "runtime/node/host/modules.h"
#include "runtime/node/host/probes.h"

#include <fmt/core.h>

namespace mogu::node {
namespace {

void module_line(const std::string& release, const KernelConfig* config, const char* option, Report& r, const char* area,
                 const char* module, const char* why) {
    auto s = module_state(release, module);
    if (s == ModuleState::absent && config && config->builtin(option)) s = ModuleState::builtin;
    std::string name = fmt::format("module {}", module);
    switch (s) {
        case ModuleState::loaded:
        case ModuleState::builtin: r.ok(area, name, fmt::format("{}: {}", module_state_name(s), why)); break;
        case ModuleState::available:
            r.ok(area, name, fmt::format("{}; the kernel loads it on first use: {}", module_state_name(s), why));
            break;
        case ModuleState::absent:
            r.warn(area, name, fmt::format("neither loaded, built in, nor in /lib/modules/{}: {}", release, why),
                   fmt::format("install the kernel's modules or a kernel with {}", module));
    }
}

}  // namespace

void probe_filesystems_and_network(const std::string& release, const KernelConfig* config, Report& r) {
    auto fs = read_file_if_exists("/proc/filesystems").value_or("");
    bool overlay = false;
    for (const auto& line : split(fs, '\n'))
        if (trim(line.substr(line.find('\t') + 1)) == "overlay") overlay = true;
    if (overlay) r.ok("storage", "overlayfs", "registered in /proc/filesystems");
    else module_line(release, config, "CONFIG_OVERLAY_FS", r, "storage", "overlay", "containerd's default snapshotter");
    module_line(release, config, "CONFIG_VETH", r, "network", "veth", "a container's link to the host");
    module_line(release, config, "CONFIG_BRIDGE", r, "network", "bridge", "the CNI bridge plugin, Docker's docker0");
}

}  // namespace mogu::node
