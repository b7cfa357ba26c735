// Device-mapper through its ioctls on /dev/mapper/control (linux/dm-ioctl.h): the loaded target
// types, the devices, and a device's table or status. For reading only: mogu check and the
// snapshotter's tests need no libdevmapper (and mogu, linked statically, would drag it in whole).
#pragma once

#include "common/fd.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mogu::dm {

struct TargetType {
    std::string name;   // "thin-pool", "cache", "linear"
    uint32_t version[3] = {0, 0, 0};
};

struct Device {
    std::string name;
    dev_t dev = 0;
};

struct Target {
    uint64_t start = 0, length = 0;  // 512-byte sectors
    std::string type;
    std::string params;              // the table line's arguments, or the status line
};

class Control {
public:
    // Opens /dev/mapper/control; throws SysError naming it (ENOENT: no device-mapper here).
    Control();
    std::vector<TargetType> target_types() const;
    std::vector<Device> devices() const;
    // A device's targets with their table (status=false) or status (true); nullopt when there
    // is no device of that name.
    std::optional<std::vector<Target>> targets(const std::string& name, bool status) const;
    // The device's number; nullopt when there is no device of that name.
    std::optional<dev_t> device_number(const std::string& name) const;

private:
    UniqueFd fd_;
};

}  // namespace mogu::dm
