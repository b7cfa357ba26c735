// The guest kernel: Debian's installed one by default (the newest /boot/vmlinuz-* whose modules
// are in /lib/modules), booted from its uncompressed ELF, which is extracted once into the cache:
// under TCG a bzImage spends seconds decompressing itself at every boot.
#pragma once

#include <string>

namespace mogu::vm {

struct Kernel {
    std::string version;   // 6.1.0-26-amd64: names its modules and the cache files
    std::string image;     // what the user or /boot gave (bzImage or ELF)
    std::string vmlinux;   // what QEMU boots
    std::string modules;   // /lib/modules/<version>
};

// `choice`: empty (Debian's newest), a version in /boot ("6.1.0-26-amd64"), or a path to a
// kernel image (bzImage or ELF) whose version is read from its header. Errors name what is
// missing and how to get it.
Kernel find_kernel(const std::string& choice);

// The version string a bzImage carries in its header ("6.1.0-26-amd64"); empty if none.
std::string bzimage_version(const std::string& bytes);

}  // namespace mogu::vm
