// Device-mapper through libdevmapper (never the dmsetup binary). No udev runs on our hosts: the
// library is told so (DM_DISABLE_UDEV) and makes the /dev/mapper nodes itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mogu::dm {

// One line of a table: start and length in 512-byte sectors, target type, its parameters.
struct Target {
    uint64_t start = 0;
    uint64_t length = 0;
    std::string type;
    std::string params;
};

struct DeviceInfo {
    bool exists = false;
    bool suspended = false;
    bool read_only = false;
    int open_count = 0;
    uint32_t major = 0;
    uint32_t minor = 0;
};

// Called once before the first libdevmapper call: no udev, library-made nodes, errors captured.
void init_library();

DeviceInfo info(const std::string& name);
bool exists(const std::string& name);
// Creates and resumes a device with a one-target table. read_only sets the device read-only.
void create(const std::string& name, const Target& table, bool read_only = false);
// Loads a new table into an existing device and resumes it (size changes, recovery).
void reload(const std::string& name, const Target& table);
// Removes a device; EBUSY (still mounted/open) is retried `tries` times 100 ms apart, then thrown.
void remove(const std::string& name, int tries = 1);
void suspend(const std::string& name);
void resume(const std::string& name);
std::vector<Target> table(const std::string& name);
std::vector<Target> status(const std::string& name);
// Sends a target message (thin-pool: "create_thin 3", "delete 3", ...); returns the response.
std::string message(const std::string& name, const std::string& msg);
std::vector<std::string> list_devices();
std::string node_path(const std::string& name);  // /dev/mapper/<name>

}  // namespace mogu::dm
