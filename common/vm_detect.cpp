#include "common/vm_detect.h"

#include "common/files.h"
#include "common/json.h"

#include <dirent.h>

#include <algorithm>

namespace mogu::vm {

bool is_vm_container(const std::string& root, const std::string& id) {
    if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..") return false;
    return path_exists(path_join(path_join(root, id), kVmStateFile));
}

std::vector<std::string> list_vm_containers(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root.c_str());
    if (!d) return ids;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && is_vm_container(root, n)) ids.push_back(n);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool bundle_wants_vm(const std::string& bundle) {
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
