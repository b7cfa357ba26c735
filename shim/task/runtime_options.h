// Which OCI runtime binary the shim runs and how: from the Create request's options (containerd's
// runc Options, or a runtimeoptions config file as CRI sends for non-runc runtimes), with
// defaults for the rest. Saved in the bundle so `shim delete` can clean up after a dead shim.
#pragma once

#include "shim/proto/messages.h"

#include <string>

namespace mogu::shim {

struct RuntimeOptions {
    std::string binary;  // resolved path or name looked up on PATH
    std::string root;    // --root of the runtime
    bool systemd_cgroup = false;
    bool no_pivot_root = false;
    bool no_new_keyring = false;
    // LXCFS views for containers without an io.mogu.lxcfs annotation ("true", "false",
    // "required"; empty: the runtime's default) and where LXCFS is mounted (empty: its default).
    std::string lxcfs;
    std::string lxcfs_path;
    // The criu the runtime runs for checkpoint and restore (its --criu; empty: the runtime's
    // default) and where criu's work files and logs of a restore go (empty: the bundle).
    std::string criu_path;
    std::string criu_work_path;
};

// True when this shim was started as containerd-shim-mogu-vm-v2 (every container runs in a VM).
bool is_vm_shim();
// The default binary: $MOGU_SHIM_RUNTIME if set, else `mogu` beside this shim, else `mogu` on PATH.
std::string default_runtime_binary();
// The default --root: /run/containerd/mogu/<namespace>.
std::string default_runtime_root(const std::string& ns);

// Reads options sent by containerd (null: none were). Unknown option types are refused with an
// error naming them.
RuntimeOptions options_from_any(const pb::wkt::Any* any, const std::string& ns);
// Parses a runtimeoptions config file: `Key = "value"` / `Key = true` lines (a TOML subset) with
// the runc option names BinaryName, Root, SystemdCgroup, NoPivotRoot, NoNewKeyring, CriuPath,
// CriuWorkPath, and mogu's
// Lxcfs ("true", "false", "required") and LxcfsPath.
void apply_config_file(RuntimeOptions& opts, const std::string& path);

void save_options(const std::string& bundle, const RuntimeOptions& opts);
// Defaults when the bundle has no saved options.
RuntimeOptions load_options(const std::string& bundle, const std::string& ns);

}  // namespace mogu::shim
