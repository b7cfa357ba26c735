// OCI mount options ("ro", "nosuid", "rbind", "rslave", "mode=755", "rro", ...) split into
// mount(2) flags, propagation changes, recursive attributes (mount_setattr) and filesystem data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mogu::runtime {

struct MountOptions {
    unsigned long flags = 0;                 // MS_* to set
    unsigned long cleared = 0;               // MS_* named by their opposite ("rw", "dev", "suid", ...)
    std::vector<unsigned long> propagation;  // applied in order after the mount
    uint64_t attr_set = 0;                   // MOUNT_ATTR_* for "rro", "rnosuid", ... (recursive)
    uint64_t attr_clr = 0;
    std::string data;                        // everything else, comma-joined, for the filesystem
    bool tmpcopyup = false;                  // runc's: fill a new tmpfs with what was there
    bool is_bind() const;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);
// The MS_* propagation flags of "rslave" and friends; 0 for an unknown name.
unsigned long propagation_flags(const std::string& name);

}  // namespace mogu::runtime
