// Which containers are VM containers: shared by mogu-vm and by the mogu runtime's dispatch
// (runtime/cli/vm_dispatch.cpp), which needs these two answers without linking mogu-vm.
#pragma once

#include "common/files.h"
#include "common/json.h"
#include "kvm-launcher/host/vm_options.h"
#include "kvm-launcher/host/vm_state.h"

#include <string>

namespace mogu::vm {

// True when <root>/<id> is a VM container (it has vm.json).
inline bool is_vm_container(const std::string& root, const std::string& id) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..") return false;
    return path_exists(path_join(path_join(root, id), VmDir::kStateFile));
}

// True when the bundle's config.json asks for a VM (annotation io.mogu.isolation=vm). A missing
// or broken config.json is not a VM's: whoever creates the container reports it.
inline bool bundle_wants_vm(const std::string& bundle) {
    auto text = read_file_if_exists(path_join(bundle, "config.json"));
    if (!text) return false;
    try {
        JsonDoc doc = JsonDoc::parse(*text, "config.json");
        auto a = doc.root().get("annotations");
        auto v = a && a->is_object() ? a->get(kIsolationAnnotation) : std::nullopt;
        return v && v->is_string() && v->as_string() == "vm";
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace mogu::vm
