// The probes of `mogu check`: each looks at the running kernel (not its build config) and adds
// its findings.
#pragma once

#include "runtime/node/finding.h"
#include "runtime/node/kernel_config.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mogu::node {

void probe_namespaces(Report& r);
void probe_cgroups(Report& r);
void probe_seccomp(Report& r);
// `config`: the kernel's build config when found (an option =y means built in, whatever
// /lib/modules says), else nullptr.
void probe_filesystems_and_network(const std::string& release, const KernelConfig* config, Report& r);
// `snapshotter_config`: mogu-snapshotter's TOML (its pool_name and low_water_mark_percent).
void probe_device_mapper(const std::string& release, const std::string& snapshotter_config, Report& r);
void probe_kvm(Report& r);
void probe_tools(const std::string& criu_path, Report& r);

// The current value of each key that exists here (trimmed text of its /proc/sys file).
std::map<std::string, std::string> read_sysctls(const std::vector<std::string>& keys);
// MemTotal from /proc/meminfo, in kB (0 when unreadable).
uint64_t mem_total_kb();

}  // namespace mogu::node
