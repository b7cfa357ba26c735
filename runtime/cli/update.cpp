#include "common/error.h"
#include "common/files.h"
#include "common/json.h"
#include "common/strings.h"
#include "runtime/cli/command.h"

#include <cctype>

namespace mogu::cli {
namespace {

// "512m", "1g", "1024", "-1" (unlimited), as docker's units.RAMInBytes reads them.
int64_t parse_bytes(const std::string& flag, const std::string& s) {
    if (s == "-1") return -1;
    std::string num = s, unit;
    while (!num.empty() && std::isalpha(static_cast<unsigned char>(num.back()))) {
        unit.insert(unit.begin(), static_cast<char>(std::tolower(num.back())));
        num.pop_back();
    }
    auto n = parse_int(num);
    int64_t mult = 1;
    if (unit.empty() || unit == "b") mult = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1LL << 10;
    else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1LL << 20;
    else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1LL << 30;
    else if (unit == "t" || unit == "tb" || unit == "tib") mult = 1LL << 40;
    else n.reset();
    int64_t bytes;
    if (!n || *n < 0 || __builtin_mul_overflow(*n, mult, &bytes))
        throw UsageError("update: --{} takes a size like 512m or 1g, not \"{}\"", flag, s);
    return bytes;
}

int run_update(const runtime::Context& ctx, const Args& a) {
    a.require_positional(1, 1);
    oci::Resources r;
    if (auto file = a.value("resources")) {
        std::string text = *file == "-" ? read_file("/dev/stdin") : read_file(*file);
        auto doc = JsonDoc::parse(text, *file == "-" ? "--resources (stdin)" : *file);
        try {
            r = oci::parse_resources(doc.root());
        } catch (const SpecError& e) {
            throw Error("--resources: {}", e.what());
        }
    }
    auto mem = [&]() -> oci::MemoryResources& {
        if (!r.memory) r.memory = oci::MemoryResources{};
        return *r.memory;
    };
    auto cpu = [&]() -> oci::CpuResources& {
        if (!r.cpu) r.cpu = oci::CpuResources{};
        return *r.cpu;
    };
    auto uint_flag = [&](const char* name) -> std::optional<uint64_t> {
        auto v = a.value(name);
        if (!v) return std::nullopt;
        auto n = parse_uint(*v);
        if (!n) throw UsageError("update: --{} takes a non-negative integer, not \"{}\"", name, *v);
        return n;
    };
    if (auto v = a.value("memory")) mem().limit = parse_bytes("memory", *v);
    if (auto v = a.value("memory-reservation")) mem().reservation = parse_bytes("memory-reservation", *v);
    if (auto v = a.value("memory-swap")) mem().swap = parse_bytes("memory-swap", *v);
    if (auto v = a.value("kernel-memory")) mem().kernel = parse_bytes("kernel-memory", *v);
    if (auto v = a.value("kernel-memory-tcp")) mem().kernel_tcp = parse_bytes("kernel-memory-tcp", *v);
    if (auto v = uint_flag("cpu-share")) cpu().shares = *v;
    if (auto v = uint_flag("cpu-period")) cpu().period = *v;
    if (auto v = a.int_value("cpu-quota")) cpu().quota = *v;
    if (auto v = uint_flag("cpu-rt-period")) cpu().realtime_period = *v;
    if (auto v = a.int_value("cpu-rt-runtime")) cpu().realtime_runtime = *v;
    if (auto v = a.value("cpuset-cpus")) cpu().cpus = *v;
    if (auto v = a.value("cpuset-mems")) cpu().mems = *v;
    if (auto v = a.int_value("pids-limit")) r.pids_limit = *v;
    if (auto v = uint_flag("blkio-weight")) {
        if (*v > 1000) throw UsageError("update: --blkio-weight must be 10..1000, not {}", *v);
        if (!r.block_io) r.block_io = oci::BlockIoResources{};
        r.block_io->weight = static_cast<uint16_t>(*v);
    }
    if (a.value("l3-cache-schema") || a.value("mem-bw-schema"))
        throw Error("update: Intel RDT (--l3-cache-schema, --mem-bw-schema) is not supported");
    runtime::update(ctx, a.positional()[0], r);
    return 0;
}

}  // namespace

const Command update_command = {
    "update",
    "update [command options] <container-id>",
    "update container resource constraints",
    {
        {{"resources", "r"}, true, false, "path to a file with linux.resources JSON (- for stdin)"},
        {{"blkio-weight"}, true, false, "block IO weight (10..1000)"},
        {{"cpu-period"}, true, false, "CPU CFS period in microseconds"},
        {{"cpu-quota"}, true, false, "CPU CFS quota in microseconds"},
        {{"cpu-share"}, true, false, "CPU shares (relative weight)"},
        {{"cpu-rt-period"}, true, false, "CPU realtime period in microseconds"},
        {{"cpu-rt-runtime"}, true, false, "CPU realtime runtime in microseconds"},
        {{"cpuset-cpus"}, true, false, "CPUs to use (0-3, 0,1)"},
        {{"cpuset-mems"}, true, false, "memory nodes to use (0-3, 0,1)"},
        {{"kernel-memory"}, true, false, "kernel memory limit (cgroup v1 only)"},
        {{"kernel-memory-tcp"}, true, false, "kernel TCP buffer limit"},
        {{"memory"}, true, false, "memory limit (e.g. 512m)"},
        {{"memory-reservation"}, true, false, "memory soft limit"},
        {{"memory-swap"}, true, false, "memory plus swap limit (-1: unlimited)"},
        {{"pids-limit"}, true, false, "maximum number of pids (-1: unlimited)"},
        {{"l3-cache-schema"}, true, false, "Intel RDT (not supported)"},
        {{"mem-bw-schema"}, true, false, "Intel RDT (not supported)"},
    },
    run_update};

}  // namespace mogu::cli
