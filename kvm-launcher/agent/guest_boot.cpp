#include "kvm-launcher/agent/guest_boot.h"

#include "common/error.h"
#include "common/files.h"
#include "common/strings.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <ctime>
#include <thread>

namespace mogu::vm::agent {
namespace {

void mount_fs(const char* source, const char* target, const char* type, unsigned long flags, const char* data) {
    mkdir_p(target);
    if (::mount(source, target, type, flags, data) < 0) throw SysError(errno, "mount {} on {}", type, target);
}

// Removes the initial ramfs' files, staying on that one file system (what switch_root does).
void remove_on_device(const std::string& dir, dev_t dev) {
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = dir == "/" ? "/" + name : dir + "/" + name;
        struct stat st {};
        if (lstat(path.c_str(), &st) < 0 || st.st_dev != dev) continue;
        if (S_ISDIR(st.st_mode)) {
            remove_on_device(path, dev);
            rmdir(path.c_str());
        } else {
            unlink(path.c_str());
        }
    }
    closedir(d);
}

template <typename Pred>
std::string wait_for(int timeout_ms, Pred find) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        std::string found = find();
        if (!found.empty() || std::chrono::steady_clock::now() >= deadline) return found;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string first_line(const std::string& path) {
    auto text = read_file_if_exists(path);
    return text ? std::string(trim(*text)) : "";
}

}  // namespace

void mount_kernel_filesystems() {
    mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
    mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
    mount_fs("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    mount_fs("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    mount_fs("run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
}

std::string kernel_param(const std::string& name) {
    std::string cmdline = first_line("/proc/cmdline");
    for (auto& word : split(cmdline, ' ')) {
        if (word.size() > name.size() && word.compare(0, name.size(), name) == 0 && word[name.size()] == '=')
            return word.substr(name.size() + 1);
    }
    return "";
}

void load_module_groups(const std::vector<std::string>& groups, bool verbose) {
    std::string order = path_join(kModuleDir, "order");
    for (auto& line : split(read_file(order), '\n')) {
        auto words = split(std::string(trim(line)), ' ');
        if (words.size() != 2 || std::find(groups.begin(), groups.end(), words[0]) == groups.end()) continue;
        std::string path = path_join(kModuleDir, words[1]);
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw SysError(errno, "open module {}", path);
        // A module that does not fit this CPU (crc32c-intel without SSE 4.2) has an alternative
        // later in the list; a missing driver shows up as a missing device, named by whoever needs it.
        uint64_t t0 = uptime_ms();
        if (syscall(SYS_finit_module, fd.get(), "", 0) < 0 && errno != EEXIST)
            fprintf(stderr, "mogu-agent: load module %s: %s\n", words[1].c_str(), strerror(errno));
        if (verbose) fprintf(stderr, "mogu-agent: module %s loaded in %llu ms\n", words[1].c_str(), (unsigned long long)(uptime_ms() - t0));
    }
}

void leave_initramfs() {
    struct stat root {};
    check(stat("/", &root), "stat /");
    // The kernel file systems are mounted afresh afterwards, so that mountinfo lists the new
    // root before what sits on it (the runtime's cgroup detection reads it in that order).
    if (::umount2("/proc", MNT_DETACH) < 0 && errno != EINVAL) throw SysError(errno, "unmount /proc");
    const char* next = "/newroot";
    mount_fs("root", next, "tmpfs", 0, "mode=0755");
    remove_on_device("/", root.st_dev);
    check(chdir(next), "chdir {}", next);
    if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) throw SysError(errno, "move {} to /", next);
    check(chroot("."), "chroot {}", next);
    check(chdir("/"), "chdir /");
    mkdir_p("/tmp", 01777);
}

void mount_proc() { mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr); }

std::string find_virtio_port(const std::string& name, int timeout_ms) {
    std::string found = wait_for(timeout_ms, [&]() -> std::string {
        DIR* d = opendir("/sys/class/virtio-ports");
        if (!d) return "";
        std::string dev;
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            if (first_line(fmt::format("/sys/class/virtio-ports/{}/name", e->d_name)) == name) {
                dev = fmt::format("/dev/{}", e->d_name);
                break;
            }
        }
        closedir(d);
        return dev.empty() || !path_exists(dev) ? "" : dev;
    });
    if (found.empty()) throw Error("no virtio-serial port named {} appeared within {} ms", name, timeout_ms);
    return found;
}

std::string find_block_device(const std::string& serial, int timeout_ms) {
    std::string found = wait_for(timeout_ms, [&]() -> std::string {
        DIR* d = opendir("/sys/block");
        if (!d) return "";
        std::string dev;
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            if (first_line(fmt::format("/sys/block/{}/serial", e->d_name)) == serial) {
                dev = fmt::format("/dev/{}", e->d_name);
                break;
            }
        }
        closedir(d);
        return dev.empty() || !path_exists(dev) ? "" : dev;
    });
    if (found.empty()) throw Error("no virtio block device with serial {} appeared within {} ms", serial, timeout_ms);
    return found;
}

std::string kernel_release() {
    struct utsname u {};
    uname(&u);
    return u.release;
}

uint64_t uptime_ms() {
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

void power_off() {
    sync();
    ::reboot(RB_AUTOBOOT);
    _exit(1);  // only reached when not PID 1 (tests); the kernel panics if PID 1 exits
}

}  // namespace mogu::vm::agent
