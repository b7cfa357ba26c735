#include "monitor/container_collector.h"

#include "common/error.h"
#include "common/log.h"
#include "common/oci/spec.h"
#include "monitor/container_metrics.h"
#include "monitor/discovery.h"
#include "runtime/proc_info.h"
#include "runtime/runtime.h"

#include <fmt/core.h>

namespace mogu::monitor {
namespace {

// After a failed read: true when the container is simply gone (deleted, or its init exited).
bool vanished(const runtime::Context& ctx, const FoundContainer& c) {
    if (c.vm) return !runtime::process_alive(c.vm->pid, c.vm->pid_start);  // the VM's keeper exited
    try {
        return runtime::query(ctx, c.view.state.id).status == runtime::Status::stopped;
    } catch (const Error&) {
        return true;
    }
}

// The figures the status page keeps 15 minutes of.
Reading reading_of(const runtime::ContainerStats& s) {
    Reading r;
    r.time = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const auto& cg = s.cgroup;
    r.cpu_ns = cg.cpu.total_ns;
    r.memory_used = cg.memory.usage;
    r.memory_limit = cg.memory.limit >= (1ULL << 62) ? 0 : cg.memory.limit;
    for (const auto& e : cg.blkio.io_service_bytes)
        if (e.op == "Read" || e.op == "Write") r.io_bytes += e.value;
    r.pids = cg.pids.current;
    r.pids_limit = cg.pids.limit;
    if (s.load) r.load1 = s.load->avg1;
    return r;
}

// What a mogu-vm container's VM was given. Its other series are the host cgroup's: QEMU and its
// keeper, the guest's memory included, without limits (the guest enforces the spec's). A pod's
// other containers run in the sandbox's VM: their host cgroup holds only their keeper.
void add_vm_metrics(MetricSet& set, const Labels& labels, const vm::VmState& vm) {
    Labels info = labels;
    info.emplace_back("accel", vm.accel);
    info.emplace_back("machine", vm.machine);
    info.emplace_back("kernel", vm.kernel);
    set.add("mogu_container_vm_info", MetricType::gauge,
            "A container that runs in a mogu-vm micro-VM (1), with its accelerator, machine type and guest kernel.",
            std::move(info), uint64_t(1));
    if (!vm.sandbox.empty()) return;  // a pod's container in its sandbox's VM: the VM is counted once, there
    set.add("mogu_container_vm_memory_bytes", MetricType::gauge, "Memory given to the container's micro-VM.", labels,
            uint64_t(vm.memory_mib) << 20);
    set.add("mogu_container_vm_cpus", MetricType::gauge, "Virtual CPUs of the container's micro-VM.", labels,
            uint64_t(vm.vcpus));
}

// The memory limit config.json gives a VM container (the guest enforced it), 0 for none or when
// the bundle is gone or unreadable.
uint64_t spec_memory_limit(const std::string& bundle) {
    try {
        auto spec = oci::load_spec(bundle + "/config.json");
        if (spec.linux && spec.linux->resources && spec.linux->resources->memory && spec.linux->resources->memory->limit)
            return *spec.linux->resources->memory->limit > 0 ? uint64_t(*spec.linux->resources->memory->limit) : 0;
    } catch (const Error&) {
    }
    return 0;
}

VmOomKill oom_kill_of(const EndedVmContainer& c) {
    VmOomKill k;
    k.key = fmt::format("{}/{}@{}", c.root, c.state.id, c.recorded_at);
    k.recorded_at = c.recorded_at;
    k.labels = container_labels(c.state);
    k.memory_limit = spec_memory_limit(c.state.bundle);
    k.process = c.exit.oom_process;
    k.pid = c.exit.oom_pid;
    return k;
}

}  // namespace

std::string ContainerCollector::device_name(uint64_t major, uint64_t minor) {
    auto key = std::make_pair(major, minor);
    auto it = device_names_.find(key);
    if (it != device_names_.end()) return it->second;
    return device_names_[key] = block_device_name(major, minor);
}

void ContainerCollector::collect(MetricSet& set) {
    auto now = std::chrono::steady_clock::now();
    bool read_load = now - last_load_read_ >= std::chrono::seconds(5);
    if (read_load) last_load_read_ = now;

    auto roots = expand_roots(patterns_);
    std::vector<EndedVmContainer> ended;
    auto found = find_containers(roots, &ended);
    vm_oom_kills_.clear();
    for (const auto& c : ended)
        if (c.exit.oom_killed) vm_oom_kills_.push_back(oom_kill_of(c));
    std::map<std::string, runtime::lxcfs::LoadAverage> loads;
    std::set<std::string> warned, docker_ids;
    uint64_t seen = 0;
    readings_.clear();
    for (const auto& c : found) {
        const auto& st = c.view.state;
        std::string key = c.root + "/" + st.id;
        runtime::Context ctx;
        ctx.root = c.root;
        ContainerFigures f;
        try {
            f.stats = runtime::stats_of(ctx, st, cgroups::StatsDetail::full, read_load);
        } catch (const Error& e) {
            if (!vanished(ctx, c)) {
                ++read_errors_;
                if (!warned_.count(key)) log::warn("container {}: cannot read its cgroup: {}", key, e.what());
                warned.insert(key);
            }
            continue;
        }
        if (f.stats.load) loads[key] = *f.stats.load;
        else if (!read_load && loads_.count(key)) f.stats.load = loads[key] = loads_[key];
        f.start_time = parse_rfc3339(st.created);
        f.network = read_container_network(st.pid);
        std::optional<DockerIdentity> docker;
        if (containerd_namespace_of(st.bundle) == kDockerNamespace) {
            docker_ids.insert(st.id);
            docker = docker_names_.lookup(st.id);
        }
        auto labels = container_labels(st, docker ? &*docker : nullptr);
        f.restarts = restarts_.observe(RestartCounter::identity(c.root, st.id, labels), f.start_time.value_or(0));
        add_container_metrics(set, labels, f, [this](uint64_t ma, uint64_t mi) { return device_name(ma, mi); });
        if (c.vm) add_vm_metrics(set, labels, *c.vm);
        readings_.push_back(ContainerReading{key, std::move(labels), reading_of(f.stats)});
        ++seen;
    }
    // Only containers that still exist are remembered (restarts: for a while after they go).
    restarts_.forget_stale();
    docker_names_.keep_only(docker_ids);
    loads_ = std::move(loads);
    warned_ = std::move(warned);

    set.add("mogu_monitor_containers", MetricType::gauge, "Containers whose cgroups were read in the last collection.", {}, seen);
    set.add("mogu_monitor_state_roots", MetricType::gauge, "State roots (directories) the last collection looked in.", {},
            static_cast<uint64_t>(roots.size()));
    set.add("mogu_monitor_container_read_errors_total", MetricType::counter,
            "Reads of a running container's cgroup that failed (containers that vanished mid-read are not counted).", {}, read_errors_);
}

}  // namespace mogu::monitor
