#include "shim/task/vm_rootfs.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/strings.h"
#include "common/vm_annotations.h"
#include "common/vm_detect.h"
#include "shim/task/runtime_options.h"

#include <sys/stat.h>

namespace mogu::shim {

std::optional<RootfsDevice> rootfs_device_of(const std::vector<RootfsMount>& mounts) {
    if (mounts.size() != 1) return std::nullopt;
    const auto& m = mounts[0];
    struct stat st {};
    if (m.source.empty() || m.source[0] != '/' || stat(m.source.c_str(), &st) < 0 || !S_ISBLK(st.st_mode))
        return std::nullopt;
    return RootfsDevice{m.source, m.type.empty() ? "ext4" : m.type, m.options};
}

bool runs_in_vm(const std::string& bundle) { return is_vm_shim() || vm::bundle_wants_vm(bundle); }

void pass_rootfs_device(const std::string& bundle, const RootfsDevice& d) {
    std::string path = path_join(bundle, "config.json");
    JsonDoc doc = JsonDoc::parse(read_file(path), path);
    Json root = doc.root();
    root.expect_object();
    const char* ours[] = {vm::kRootfsDeviceAnnotation, vm::kRootfsFstypeAnnotation, vm::kRootfsOptionsAnnotation};
    JsonWriter w(true);
    w.begin_object();
    root.for_each_member([&](std::string_view key, const Json& v) {
        if (key != "annotations") w.key(key).value(v);
    });
    w.key("annotations").begin_object();
    if (auto a = root.get("annotations")) {
        a->expect_object().for_each_member([&](std::string_view key, const Json& v) {
            if (key != ours[0] && key != ours[1] && key != ours[2]) w.key(key).value(v);
        });
    }
    w.kv(ours[0], d.device).kv(ours[1], d.fstype).kv(ours[2], join(d.options, ","));
    w.end_object();
    w.end_object();
    struct stat st {};
    write_file_atomic(path, w.str(), stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0644);
    mkdir_p(path_join(bundle, "rootfs"), 0711);
}

bool rootfs_device_passed(const std::string& bundle) {
    auto text = read_file_if_exists(path_join(bundle, "config.json"));
    if (!text) return false;
    try {
        JsonDoc doc = JsonDoc::parse(*text, "config.json");
        auto a = doc.root().get("annotations");
        return a && a->is_object() && a->get(vm::kRootfsDeviceAnnotation);
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace mogu::shim
