#include "common/dm_ioctl.h"

#include "common/error.h"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

namespace mogu::dm {
namespace {

// One ioctl with a buffer grown until the answer fits; nullopt when the device does not exist.
std::optional<std::vector<char>> call(int fd, unsigned long request, const char* what, const std::string& name, uint32_t flags) {
    std::vector<char> buf(16384);
    for (int attempt = 0; attempt < 6; ++attempt) {
        std::fill(buf.begin(), buf.end(), 0);
        auto* io = reinterpret_cast<struct dm_ioctl*>(buf.data());
        io->version[0] = DM_VERSION_MAJOR;
        io->data_size = static_cast<uint32_t>(buf.size());
        io->data_start = sizeof(struct dm_ioctl);
        io->flags = flags;
        if (!name.empty()) strncpy(io->name, name.c_str(), DM_NAME_LEN - 1);
        if (ioctl(fd, request, io) < 0) {
            if (errno == ENXIO && !name.empty()) return std::nullopt;
            throw SysError(errno, "device-mapper {}{}{}", what, name.empty() ? "" : " of ", name);
        }
        if (!(io->flags & DM_BUFFER_FULL_FLAG)) return buf;
        buf.resize(buf.size() * 4);
    }
    throw Error("device-mapper {} {}: the answer does not fit in 4 MiB", what, name);
}

const dm_ioctl* header(const std::vector<char>& b) { return reinterpret_cast<const dm_ioctl*>(b.data()); }

}  // namespace

Control::Control() : fd_(::open("/dev/mapper/control", O_RDWR | O_CLOEXEC)) {
    if (!fd_) throw SysError(errno, "open /dev/mapper/control");
}

std::vector<TargetType> Control::target_types() const {
    auto b = *call(fd_.get(), DM_LIST_VERSIONS, "list of target types", "", 0);
    std::vector<TargetType> out;
    size_t off = header(b)->data_start;
    while (off + sizeof(dm_target_versions) <= b.size()) {
        auto* v = reinterpret_cast<const dm_target_versions*>(b.data() + off);
        TargetType t;
        t.name.assign(v->name, strnlen(v->name, b.size() - off - sizeof(*v)));
        std::copy(v->version, v->version + 3, t.version);
        if (!t.name.empty()) out.push_back(std::move(t));
        if (!v->next) break;
        off += v->next;
    }
    return out;
}

std::vector<Device> Control::devices() const {
    auto b = *call(fd_.get(), DM_LIST_DEVICES, "list of devices", "", 0);
    std::vector<Device> out;
    size_t off = header(b)->data_start;
    while (off + sizeof(dm_name_list) <= b.size()) {
        auto* n = reinterpret_cast<const dm_name_list*>(b.data() + off);
        if (!n->dev) break;  // an empty list is one zeroed entry
        Device d;
        d.name.assign(n->name, strnlen(n->name, b.size() - off - sizeof(*n)));
        d.dev = makedev(major(n->dev), minor(n->dev));
        out.push_back(std::move(d));
        if (!n->next) break;
        off += n->next;
    }
    return out;
}

std::optional<std::vector<Target>> Control::targets(const std::string& name, bool status) const {
    auto b = call(fd_.get(), DM_TABLE_STATUS, status ? "status" : "table", name, status ? 0 : DM_STATUS_TABLE_FLAG);
    if (!b) return std::nullopt;
    const auto* io = header(*b);
    std::vector<Target> out;
    size_t base = io->data_start, off = base;
    for (uint32_t i = 0; i < io->target_count && off + sizeof(dm_target_spec) <= b->size(); ++i) {
        auto* spec = reinterpret_cast<const dm_target_spec*>(b->data() + off);
        Target t;
        t.start = spec->sector_start;
        t.length = spec->length;
        t.type.assign(spec->target_type, strnlen(spec->target_type, DM_MAX_TYPE_NAME));
        const char* p = reinterpret_cast<const char*>(spec + 1);
        t.params.assign(p, strnlen(p, b->size() - static_cast<size_t>(p - b->data())));
        out.push_back(std::move(t));
        off = base + spec->next;  // the kernel counts `next` from the start of the data
    }
    return out;
}

std::optional<dev_t> Control::device_number(const std::string& name) const {
    auto b = call(fd_.get(), DM_DEV_STATUS, "status", name, 0);
    if (!b) return std::nullopt;
    auto d = header(*b)->dev;
    return makedev(major(d), minor(d));
}

}  // namespace mogu::dm
