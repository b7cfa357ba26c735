#include "runtime/criu/images.h"

#include "common/error.h"
#include "common/fd.h"
#include "common/files.h"
#include "common/json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <set>
#include <sstream>
#include <cstdlib>

namespace mogu::runtime::criu {
namespace {

// criu/include/magic.h: inventory.img starts with its own magic, without the common one.
constexpr uint32_t kInventoryMagic = 0x58313116;

// Mount ids of the process's mount namespace.
std::set<int> mount_ids_of(pid_t pid) {
    std::set<int> ids;
    std::istringstream in(read_file(fmt::format("/proc/{}/mountinfo", pid)));
    for (std::string line; std::getline(in, line);) ids.insert(std::atoi(line.c_str()));
    return ids;
}

int fd_mount_id(pid_t pid, int fd) {
    std::istringstream in(read_file(fmt::format("/proc/{}/fdinfo/{}", pid, fd)));
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("mnt_id:")) return std::atoi(line.c_str() + 7);
    return -1;
}

// Ptys (majors 136-143), ttys and the console (4, 5), as criu's is_tty() tells them.
bool is_terminal(const struct stat& st) {
    if (!S_ISCHR(st.st_mode)) return false;
    unsigned maj = major(st.st_rdev);
    return maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
}

}  // namespace

std::vector<std::string> stdio_descriptors(pid_t pid) {
    std::vector<std::string> out;
    std::set<int> mounts = mount_ids_of(pid);
    for (int fd = 0; fd < 3; ++fd) {
        std::string link = fmt::format("/proc/{}/fd/{}", pid, fd);
        char target[PATH_MAX];
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        // A closed stdio fd: runc records "" too, and restore inherits nothing for it.
        std::string name = n < 0 ? std::string() : std::string(target, static_cast<size_t>(n));
        struct stat st;
        // A terminal from outside is criu's shell job (--shell-job), not an external file.
        if (name.starts_with("/") && ::stat(link.c_str(), &st) == 0 && !is_terminal(st)) {
            int mnt = fd_mount_id(pid, fd);
            if (mnt >= 0 && !mounts.count(mnt)) name = fmt::format("file[{:x}:{:x}]", mnt, static_cast<uint64_t>(st.st_ino));
        }
        out.push_back(name);
    }
    return out;
}

void write_descriptors(const std::string& image_dir, const std::vector<std::string>& descriptors) {
    JsonWriter w;
    w.begin_array();
    for (const auto& d : descriptors) w.value(d);
    w.end_array();
    write_file(path_join(image_dir, kDescriptorsFile), w.str(), 0600);
}

std::vector<std::string> check_image_dir(const std::string& image_dir) {
    struct stat st;
    if (::stat(image_dir.c_str(), &st) < 0) throw SysError(errno, "checkpoint image directory {}", image_dir);
    if (!S_ISDIR(st.st_mode)) throw Error("checkpoint image directory {} is not a directory", image_dir);
    std::string inventory = path_join(image_dir, "inventory.img");
    UniqueFd fd(::open(inventory.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SysError(errno, "{} is not a criu checkpoint: {}", image_dir, inventory);
    uint32_t magic = 0;
    if (::read(fd.get(), &magic, sizeof magic) != sizeof magic || magic != kInventoryMagic)
        throw Error("{} is not a criu checkpoint: {} does not start with criu's inventory magic", image_dir, inventory);
    std::string path = path_join(image_dir, kDescriptorsFile);
    auto text = read_file_if_exists(path);
    if (!text) throw Error("{} has no {} (it was not made by mogu or runc checkpoint)", image_dir, kDescriptorsFile);
    std::vector<std::string> out;
    try {
        JsonDoc doc = JsonDoc::parse(*text, path);
        Json root = doc.root();
        root.expect_array();
        for (const auto& e : root.elements()) out.push_back(e.as_string());
    } catch (const Error& e) {
        throw Error("{} is corrupt: {}", path, e.what());
    }
    return out;
}

}  // namespace mogu::runtime::criu
