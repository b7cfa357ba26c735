#include "runtime/node/host/modules.h"

#include "common/files.h"
#include "common/strings.h"

namespace mogu::node {
namespace {

std::string normalized(std::string s) {
    for (auto& c : s)
        if (c == '-') c = '_';
    return s;
}

// Whether a modules.dep/modules.builtin line names `module` ("kernel/fs/overlayfs/overlay.ko.xz: ...").
bool lists(const std::string& text, const std::string& module) {
    for (const auto& line : split(text, '\n')) {
        auto path = line.substr(0, line.find(':'));
        auto base = path.substr(path.rfind('/') + 1);
        auto dot = base.find(".ko");
        if (dot != std::string::npos && normalized(base.substr(0, dot)) == module) return true;
    }
    return false;
}

}  // namespace

const char* module_state_name(ModuleState s) {
    switch (s) {
        case ModuleState::loaded: return "loaded";
        case ModuleState::builtin: return "built in";
        case ModuleState::available: return "not loaded (module on disk)";
        case ModuleState::absent: return "absent";
    }
    return "?";
}

ModuleState module_state(const std::string& release, const std::string& name) {
    auto module = normalized(name);
    const std::string dir = "/lib/modules/" + release;
    if (auto builtin = read_file_if_exists(dir + "/modules.builtin"); builtin && lists(*builtin, module)) return ModuleState::builtin;
    if (path_exists("/sys/module/" + module + "/initstate")) return ModuleState::loaded;
    if (auto dep = read_file_if_exists(dir + "/modules.dep"); dep && lists(*dep, module)) return ModuleState::available;
    // Built-in modules with parameters show in /sys/module without initstate.
    if (path_exists("/sys/module/" + module)) return ModuleState::builtin;
    return ModuleState::absent;
}

}  // namespace mogu::node
