// Device access control on cgroup v2: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
// assembled here from a DeviceState (as runc's devicefilter and crun's ebpf.c do), attached with
// BPF_F_ALLOW_MULTI, replacing the program we attached before.
#pragma once

#include "common/fd.h"
#include "runtime/cgroups/device_rules.h"

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::cgroups {

// The program: r2 = device type, r3 = requested access, r4 = major, r5 = minor, then one block
// per exception ("if it matches, return the exception's verdict"), then the default verdict.
std::vector<bpf_insn> device_filter_program(const DeviceState& state);

// BPF_PROG_LOAD; the error carries the verifier's log.
UniqueFd load_device_filter(const std::vector<bpf_insn>& program);

// Attaches `prog_fd` to the cgroup directory and detaches the device programs that were attached
// to it before (there is never a moment with no filter).
void attach_device_filter(const std::string& cgroup_dir, int prog_fd);

// Ids of the device programs attached directly to the cgroup.
std::vector<uint32_t> attached_device_filters(const std::string& cgroup_dir);

}  // namespace mogu::cgroups
