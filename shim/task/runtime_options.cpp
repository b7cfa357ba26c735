#include "shim/task/runtime_options.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/self_exe.h"
#include "common/strings.h"

#include <unistd.h>

namespace mogu::shim {
namespace {

const char* kOptionsFile = "options.json";

bool parse_bool(const std::string& v, const std::string& key, const std::string& path) {
    if (v == "true") return true;
    if (v == "false") return false;
    throw Error("{}: {}: expected true or false, got {}", path, key, v);
}

}  // namespace

bool is_vm_shim() { return basename_of(self_exe_path()) == "containerd-shim-mogu-vm-v2"; }

std::string default_runtime_binary() {
    if (const char* env = getenv("MOGU_SHIM_RUNTIME"); env && *env) return env;
    // Installed as containerd-shim-mogu-vm-v2 (runtime io.containerd.mogu-vm.v2), every container runs in a VM.
    std::string runtime = is_vm_shim() ? "mogu-vm" : "mogu";
    std::string beside = path_join(self_exe_dir(), runtime);
    if (access(beside.c_str(), X_OK) == 0) return beside;
    return runtime;
}

std::string default_runtime_root(const std::string& ns) {
    return path_join("/run/containerd/mogu", ns.empty() ? "default" : ns);
}

RuntimeOptions options_from_any(const pb::wkt::Any* any, const std::string& ns) {
    RuntimeOptions o{default_runtime_binary(), default_runtime_root(ns)};
    std::string url(any ? pbc::str(any->type_url) : "");
    if (url.empty()) return o;
    if (url == "containerd.runc.v1.Options" || url == "io.containerd.runc.v1.options") {
        auto ro = pbc::unpack<pb::runc::Options>(pbc::bytes(any->value));
        if (!ro) throw Error("runtime options: {} does not parse", url);
        if (!pbc::str(ro->binary_name).empty()) o.binary = ro->binary_name;
        if (!pbc::str(ro->root).empty()) o.root = path_join(ro->root, ns);
        o.systemd_cgroup = ro->systemd_cgroup;
        o.no_pivot_root = ro->no_pivot_root;
        o.no_new_keyring = ro->no_new_keyring;
        o.criu_path = ro->criu_path;
        o.criu_work_path = ro->criu_work_path;
        return o;
    }
    if (url == "runtimeoptions.v1.Options") {
        auto ro = pbc::unpack<pb::runtimeoptions::Options>(pbc::bytes(any->value));
        if (!ro) throw Error("runtime options: {} does not parse", url);
        if (!pbc::str(ro->config_path).empty()) apply_config_file(o, ro->config_path);
        return o;
    }
    throw Error("runtime options of type {} are not supported (use containerd.runc.v1.Options)", url);
}

void apply_config_file(RuntimeOptions& o, const std::string& path) {
    std::string text = read_file(path);
    int lineno = 0;
    for (auto& raw : split(text, '\n')) {
        lineno++;
        std::string_view line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == '[') continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) throw Error("{}:{}: expected Key = value", path, lineno);
        std::string key(trim(line.substr(0, eq)));
        std::string value(trim(line.substr(eq + 1)));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (key == "BinaryName") o.binary = value;
        else if (key == "Root") o.root = value;
        else if (key == "SystemdCgroup") o.systemd_cgroup = parse_bool(value, key, path);
        else if (key == "NoPivotRoot") o.no_pivot_root = parse_bool(value, key, path);
        else if (key == "NoNewKeyring") o.no_new_keyring = parse_bool(value, key, path);
        else if (key == "CriuPath" || key == "CriuWorkPath") {
            if (value.empty() || value[0] != '/') throw Error("{}:{}: {}: \"{}\" is not an absolute path", path, lineno, key, value);
            (key == "CriuPath" ? o.criu_path : o.criu_work_path) = value;
        } else if (key == "Lxcfs") {
            if (value != "true" && value != "false" && value != "required")
                throw Error("{}:{}: Lxcfs: \"{}\" is not one of true, false, required", path, lineno, value);
            o.lxcfs = value;
        } else if (key == "LxcfsPath") {
            if (value.empty() || value[0] != '/') throw Error("{}:{}: LxcfsPath: \"{}\" is not an absolute path", path, lineno, value);
            o.lxcfs_path = value;
        } else
            throw Error("{}:{}: unknown option {}", path, lineno, key);
    }
}

void save_options(const std::string& bundle, const RuntimeOptions& o) {
    JsonWriter w;
    w.begin_object()
        .kv("binary_name", o.binary)
        .kv("root", o.root)
        .kv("systemd_cgroup", o.systemd_cgroup)
        .kv("no_pivot_root", o.no_pivot_root)
        .kv("no_new_keyring", o.no_new_keyring)
        .kv("lxcfs", o.lxcfs)
        .kv("lxcfs_path", o.lxcfs_path)
        .kv("criu_path", o.criu_path)
        .kv("criu_work_path", o.criu_work_path)
        .end_object();
    write_file_atomic(path_join(bundle, kOptionsFile), w.str(), 0600);
}

RuntimeOptions load_options(const std::string& bundle, const std::string& ns) {
    RuntimeOptions o{default_runtime_binary(), default_runtime_root(ns)};
    std::string path = path_join(bundle, kOptionsFile);
    auto text = read_file_if_exists(path);
    if (!text) return o;
    JsonDoc doc = JsonDoc::parse(*text, path);
    Json r = doc.root();
    o.binary = r.string_or("binary_name", o.binary);
    o.root = r.string_or("root", o.root);
    if (auto v = r.get("systemd_cgroup")) o.systemd_cgroup = v->as_bool();
    if (auto v = r.get("no_pivot_root")) o.no_pivot_root = v->as_bool();
    if (auto v = r.get("no_new_keyring")) o.no_new_keyring = v->as_bool();
    o.lxcfs = r.string_or("lxcfs", "");
    o.lxcfs_path = r.string_or("lxcfs_path", "");
    o.criu_path = r.string_or("criu_path", "");
    o.criu_work_path = r.string_or("criu_work_path", "");
    return o;
}

}  // namespace mogu::shim
