#include "runtime/cli/vm_dispatch.h"

#include "common/error.h"
#include "common/files.h"
#include "common/self_exe.h"
#include "common/vm_detect.h"

#include <unistd.h>

#include <cerrno>

namespace mogu::cli {
namespace {

std::string mogu_vm_binary() {
    std::string dir = self_exe_dir();
    if (!dir.empty()) {
        std::string beside = path_join(dir, "mogu-vm");
        if (access(beside.c_str(), X_OK) == 0) return beside;
    }
    return "mogu-vm";
}

}  // namespace

void dispatch_vm_container(const std::vector<std::string>& argv, const runtime::Context& ctx, const Args& verb) {
    const std::string& name = verb.command();
    std::string id = verb.positional().empty() ? "" : verb.positional()[0];
    bool vm = vm::is_vm_container(ctx.root, id);  // an id a VM holds stays the VM's, whatever the bundle
    if (!vm && (name == "create" || name == "run")) vm = vm::bundle_wants_vm(verb.value_or("bundle", "."));
    if (!vm && name == "restore") vm = vm::bundle_wants_vm(verb.value_or("bundle", "."));
    if (!vm || name == "list" || name == "spec" || name == "features") return;
    if (name == "checkpoint" || name == "restore")
        throw Error("container {} runs in a VM (io.mogu.isolation=vm): {} of VM containers is not supported yet", id, name);

    std::string binary = mogu_vm_binary();
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args[0] = binary.data();
    args.push_back(nullptr);
    execvp(binary.c_str(), args.data());
    throw SysError(errno, "container {} runs in a VM, but {} cannot be executed (is mogu-vm installed beside mogu?)", id, binary);
}

}  // namespace mogu::cli
