#include "runtime/cli/vm_dispatch.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/host/vm_state.h"

#include <unistd.h>

#include <cerrno>

namespace mogu::cli {
namespace {

bool bundle_wants_vm(const std::string& bundle) {
    auto text = read_file_if_exists(path_join(bundle, "config.json"));
    if (!text) return false;  // create reports the missing config itself
    try {
        JsonDoc doc = JsonDoc::parse(*text, "config.json");
        auto a = doc.root().get("annotations");
        auto v = a && a->is_object() ? a->get(vm::kIsolationAnnotation) : std::nullopt;
        return v && v->is_string() && v->as_string() == "vm";
    } catch (const std::exception&) {
        return false;  // so is a broken one
    }
}

bool is_vm_container(const std::string& root, const std::string& id) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..") return false;
    return path_exists(path_join(path_join(root, id), vm::VmDir::kStateFile));
}

std::string mogu_vm_binary() {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        std::string beside = path_join(dirname_of(self), "mogu-vm");
        if (access(beside.c_str(), X_OK) == 0) return beside;
    }
    return "mogu-vm";
}

}  // namespace

void dispatch_vm_container(const std::vector<std::string>& argv, const runtime::Context& ctx, const Args& verb) {
    const std::string& name = verb.command();
    std::string id = verb.positional().empty() ? "" : verb.positional()[0];
    bool vm = is_vm_container(ctx.root, id);  // an id a VM holds stays the VM's, whatever the bundle
    if (!vm && (name == "create" || name == "run")) vm = bundle_wants_vm(verb.value_or("bundle", "."));
    if (!vm || name == "list" || name == "spec" || name == "features") return;

    std::string binary = mogu_vm_binary();
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args[0] = binary.data();
    args.push_back(nullptr);
    execvp(binary.c_str(), args.data());
    throw SysError(errno, "container {} runs in a VM, but {} cannot be executed (is mogu-vm installed beside mogu?)", id, binary);
}

}  // namespace mogu::cli
