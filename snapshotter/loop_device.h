// A loop device over a file (pools on files are for development and tests). Attached with
// autoclear: the kernel detaches it once the last user (the thin-pool table) lets go.
#pragma once

#include "common/fd.h"

#include <string>

namespace mogu::snap {

class LoopDevice {
public:
    // Attaches `file` read-write to a free loop device.
    static LoopDevice attach(const std::string& file);
    LoopDevice(LoopDevice&&) = default;
    LoopDevice& operator=(LoopDevice&&) = default;
    // Closing our fd lets autoclear detach it when nothing else holds it.
    ~LoopDevice() = default;

    const std::string& path() const { return path_; }

private:
    LoopDevice(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    UniqueFd fd_;
};

// The loop device a file is attached to, or "" when none.
std::string loop_device_of(const std::string& file);

}  // namespace mogu::snap
