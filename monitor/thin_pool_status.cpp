#include "monitor/thin_pool_status.h"

#include "common/strings.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/core.h>

#include <vector>

namespace mogu::monitor {
namespace {

std::vector<std::string> fields(const std::string& s) {
    std::vector<std::string> out;
    for (auto& w : split(trim(s), ' '))
        if (!w.empty()) out.push_back(w);
    return out;
}

bool fraction(const std::string& v, uint64_t& used, uint64_t& total) {
    auto slash = v.find('/');
    if (slash == std::string::npos) return false;
    auto u = parse_uint(std::string_view(v).substr(0, slash)), t = parse_uint(std::string_view(v).substr(slash + 1));
    if (!u || !t) return false;
    used = *u;
    total = *t;
    return true;
}

// One DM_TABLE_STATUS call: the params of the device's single target, and its type.
bool dm_target_params(int control, const std::string& name, bool table, std::string& type, std::string& params, std::string& why) {
    std::vector<char> buf(16384);
    for (int attempt = 0; attempt < 4; ++attempt) {
        std::fill(buf.begin(), buf.end(), 0);
        auto* io = reinterpret_cast<struct dm_ioctl*>(buf.data());
        io->version[0] = DM_VERSION_MAJOR;
        io->version[1] = 0;
        io->version[2] = 0;
        io->data_size = static_cast<uint32_t>(buf.size());
        io->data_start = sizeof(struct dm_ioctl);
        io->flags = table ? DM_STATUS_TABLE_FLAG : 0;
        strncpy(io->name, name.c_str(), DM_NAME_LEN - 1);
        if (ioctl(control, DM_TABLE_STATUS, io) < 0) {
            why = errno == ENXIO ? fmt::format("no device-mapper device \"{}\"", name)
                                 : fmt::format("device-mapper status of {}: {}", name, strerror(errno));
            return false;
        }
        if (io->flags & DM_BUFFER_FULL_FLAG) {
            buf.resize(buf.size() * 4);
            continue;
        }
        if (io->target_count != 1) {
            why = fmt::format("{} has {} targets, not one thin-pool", name, io->target_count);
            return false;
        }
        auto* spec = reinterpret_cast<struct dm_target_spec*>(buf.data() + io->data_start);
        type.assign(spec->target_type, strnlen(spec->target_type, DM_MAX_TYPE_NAME));
        const char* p = reinterpret_cast<const char*>(spec + 1);
        params.assign(p, strnlen(p, buf.size() - static_cast<size_t>(p - buf.data())));
        return true;
    }
    why = fmt::format("device-mapper status of {} does not fit in a buffer", name);
    return false;
}

}  // namespace

std::optional<ThinPoolFigures> parse_thin_pool(const std::string& status, const std::string& table) {
    ThinPoolFigures f;
    auto t = fields(table);
    if (t.size() < 4) return std::nullopt;
    auto sectors = parse_uint(t[2]);
    if (!sectors || *sectors == 0) return std::nullopt;
    f.data_block_bytes = *sectors * 512;
    auto s = fields(status);
    if (s.size() == 1 && s[0] == "Fail") {
        f.mode = "Fail";
        return f;
    }
    if (s.size() < 5) return std::nullopt;
    if (!fraction(s[1], f.used_metadata_blocks, f.total_metadata_blocks)) return std::nullopt;
    if (!fraction(s[2], f.used_data_blocks, f.total_data_blocks)) return std::nullopt;
    f.mode = s[4];
    for (const auto& w : s)
        if (w == "needs_check") f.needs_check = true;
    return f;
}

std::optional<ThinPoolFigures> read_thin_pool(const std::string& name, std::string& why) {
    int control = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
    if (control < 0) {
        why = fmt::format("/dev/mapper/control: {}", strerror(errno));
        return std::nullopt;
    }
    std::string type, status, table;
    bool ok = dm_target_params(control, name, false, type, status, why) && dm_target_params(control, name, true, type, table, why);
    close(control);
    if (!ok) return std::nullopt;
    if (type != "thin-pool") {
        why = fmt::format("{} is a {} device, not a thin-pool", name, type);
        return std::nullopt;
    }
    auto f = parse_thin_pool(status, table);
    if (!f) why = fmt::format("{}: unexpected thin-pool status \"{}\" or table \"{}\"", name, status, table);
    return f;
}

}  // namespace mogu::monitor
