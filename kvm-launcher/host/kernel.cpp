#include "kvm-launcher/host/kernel.h"

#include "common/error.h"
#include "common/files.h"
#include "kvm-launcher/host/cache.h"
#include "kvm-launcher/host/decompress.h"

#include "common/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mogu::vm {
namespace {

bool is_dir(const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int64_t mtime_of(const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 ? int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec : -1;
}

// strverscmp order, as `sort -V` gives.
std::string newest_installed() {
    std::vector<std::string> found;
    if (DIR* d = opendir("/boot")) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.rfind("vmlinuz-", 0) != 0) continue;
            std::string v = n.substr(8);
            if (is_dir("/lib/modules/" + v)) found.push_back(v);
        }
        closedir(d);
    }
    if (found.empty()) return "";
    return *std::max_element(found.begin(), found.end(),
                             [](const std::string& a, const std::string& b) { return strverscmp(a.c_str(), b.c_str()) < 0; });
}

}  // namespace

std::string bzimage_version(const std::string& b) {
    // Boot protocol: "HdrS" at 0x202; the version string's offset - 0x200 is the u16 at 0x20e.
    if (b.size() < 0x210 || b.compare(0x202, 4, "HdrS") != 0) return "";
    size_t off = size_t(uint8_t(b[0x20e])) | size_t(uint8_t(b[0x20f])) << 8;
    off += 0x200;
    if (off >= b.size()) return "";
    size_t end = b.find_first_of(" \0", off, 2);
    return b.substr(off, end == std::string::npos ? std::string::npos : end - off);
}

Kernel find_kernel(const std::string& choice) {
    Kernel k;
    if (choice.empty()) {
        k.version = newest_installed();
        if (k.version.empty())
            throw Error("no guest kernel: no /boot/vmlinuz-* with modules in /lib/modules (apt-get install linux-image-amd64)");
        k.image = "/boot/vmlinuz-" + k.version;
    } else if (choice.find('/') == std::string::npos) {
        k.version = choice;
        k.image = "/boot/vmlinuz-" + choice;
        if (!path_exists(k.image)) throw Error("guest kernel {}: {} does not exist", choice, k.image);
    } else {
        k.image = choice;
        if (!path_exists(k.image)) throw Error("guest kernel {} does not exist", choice);
    }
    std::string head;
    try {
        UniqueFd fd(::open(k.image.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError(errno, "open {}", k.image);
        head.resize(65536);
        ssize_t n = ::pread(fd.get(), head.data(), head.size(), 0);
        if (n < 0) throw SysError(errno, "read {}", k.image);
        head.resize(size_t(n));
    } catch (const std::exception& e) {
        throw Error("guest kernel: {}", e.what());
    }
    bool elf = head.compare(0, 4, "\x7f" "ELF") == 0;
    if (k.version.empty()) k.version = bzimage_version(head);
    if (k.version.empty() && !elf)
        throw Error("guest kernel {} is not a bootable Linux kernel image (no bzImage header with a version)", k.image);
    if (k.version.empty()) {  // an ELF kernel: its banner says "Linux version <release> (...)"
        std::string all = read_file(k.image);
        size_t at = all.find("Linux version ");
        if (at != std::string::npos) k.version = all.substr(at + 14, all.find(' ', at + 14) - (at + 14));
        if (k.version.empty()) throw Error("guest kernel {}: an ELF file without a Linux version banner", k.image);
    }
    k.modules = "/lib/modules/" + k.version;
    if (!is_dir(k.modules))
        throw Error("guest kernel {} ({}) has no modules in {}: the initramfs needs its virtio modules", k.image, k.version, k.modules);
    if (elf) {
        k.vmlinux = k.image;
        return k;
    }
    // /boot's kernels are cached as vmlinux-<version>, as the guest-test harness does, so either
    // extracts for both; re-extracted when the image is newer. Other images are keyed by content.
    bool from_boot = k.image == "/boot/vmlinuz-" + k.version;
    std::string bytes;
    std::string name = "vmlinux-" + k.version;
    if (!from_boot) {
        bytes = read_file(k.image);
        name += "-" + sha256_hex(bytes).substr(0, 12);
    }
    k.vmlinux = path_join(cache_dir(), name);
    int64_t cached = mtime_of(k.vmlinux);
    if (cached < 0 || (from_boot && mtime_of(k.image) > cached)) {
        if (bytes.empty()) bytes = read_file(k.image);
        auto out = extract_elf_kernel(bytes);
        if (!out) throw Error("guest kernel {} is not a bootable Linux kernel image (no compressed ELF kernel inside)", k.image);
        cache_put(k.vmlinux, *out);
    }
    return k;
}

}  // namespace mogu::vm
