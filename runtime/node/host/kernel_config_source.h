// The running kernel's build config: /proc/config.gz (CONFIG_IKCONFIG_PROC), else
// /boot/config-<release> as distributions install it.
#pragma once

#include "runtime/node/kernel_config.h"

#include <optional>
#include <string>

namespace mogu::node {

struct KernelConfigSource {
    std::string path;
    KernelConfig config;
};

// `explicit_path` (--kernel-config) first when given (its absence is an error); nullopt when
// no config was found, with `looked_at` listing where it looked.
std::optional<KernelConfigSource> find_kernel_config(const std::string& release, const std::string& explicit_path,
                                                     std::string& looked_at);

}  // namespace mogu::node
