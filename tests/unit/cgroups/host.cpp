#include "tests/unit/cgroups/host.h"

#include "common/files.h"
#include "common/strings.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace cgtest {

std::string test_parent() { return "/mogu-test-" + std::to_string(::getpid()); }

mogu::cgroups::CgroupPath test_path(const std::string& name) { return {test_parent() + "/" + name}; }

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string read_trimmed(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return std::string(mogu::trim(ss.str()));
}

std::string unified_mount() {
    if (exists("/sys/fs/cgroup/unified/cgroup.controllers")) return "/sys/fs/cgroup/unified";
    if (exists("/sys/fs/cgroup/cgroup.controllers")) return "/sys/fs/cgroup";
    return "";
}

void deadline(unsigned seconds) { ::alarm(seconds); }

void require_root() {
    deadline();
    if (::geteuid() != 0) cr_skip_test("needs root to create cgroups");
}

void require_root_hybrid() {
    require_root();
    for (const char* c : {"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "devices"})
        if (!exists(std::string("/sys/fs/cgroup/") + c + "/cgroup.procs"))
            cr_skip_test("needs the hybrid layout of this project's hosts (no v1 %s hierarchy here)", c);
    if (!exists("/sys/fs/cgroup/unified/cgroup.procs")) cr_skip_test("needs cgroup2 at /sys/fs/cgroup/unified (hybrid layout)");
}

void require_root_unified() {
    require_root();
    if (unified_mount().empty()) cr_skip_test("no cgroup2 mount at /sys/fs/cgroup/unified or /sys/fs/cgroup");
}

std::unique_ptr<mogu::cgroups::Manager> unified_only_manager() {
    std::string line = "41 31 0:38 / " + unified_mount() + " rw,relatime - cgroup2 cgroup2 rw\n";
    return mogu::cgroups::detect_from(line, "0::/\n");
}

namespace {

std::vector<std::string> cgroup_mounts() {
    std::vector<std::string> out;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        auto f = mogu::split(line, ' ');
        for (size_t i = 6; i + 1 < f.size(); ++i)
            if (f[i] == "-" && (f[i + 1] == "cgroup" || f[i + 1] == "cgroup2")) out.push_back(f[4]);
    }
    return out;
}

void subdirs(const std::string& dir, std::vector<std::string>& out) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (e->d_type != DT_DIR || name == "." || name == "..") continue;
        subdirs(dir + "/" + name, out);
    }
    ::closedir(d);
    out.push_back(dir);  // children first
}

void write_quiet(const std::string& path, const std::string& value) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)!::write(fd, value.data(), value.size());
    ::close(fd);
}

}  // namespace

std::vector<std::string> leftover_dirs() {
    std::vector<std::string> out;
    for (auto& m : cgroup_mounts()) {
        std::string top = m + test_parent();
        if (exists(top)) subdirs(top, out);
    }
    return out;
}

void cleanup_test_cgroups() {
    auto dirs = leftover_dirs();
    for (int round = 0; round < 50 && !dirs.empty(); ++round) {
        for (auto& d : dirs) {
            write_quiet(d + "/freezer.state", "THAWED");
            write_quiet(d + "/cgroup.freeze", "0");
            std::ifstream procs(d + "/cgroup.procs");
            pid_t pid;
            while (procs >> pid) ::kill(pid, SIGKILL);
        }
        for (auto& d : dirs) ::rmdir(d.c_str());
        dirs = leftover_dirs();
        if (!dirs.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Child::Child(std::function<int()> body) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) cr_assert_fail("pipe: %s", strerror(errno));
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) cr_assert_fail("fork: %s", strerror(errno));
    if (pid_ == 0) {
        // Dies with the test's process, even when its deadline kills it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(121);
        ::close(p[1]);
        char c;
        if (::read(p[0], &c, 1) != 1) ::_exit(120);
        ::_exit(body());
    }
    ::close(p[0]);
    go_fd_ = p[1];
}

Child::~Child() {
    if (go_fd_ >= 0) ::close(go_fd_);
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void Child::go() {
    if (::write(go_fd_, "g", 1) != 1) cr_assert_fail("cannot start child: %s", strerror(errno));
    ::close(go_fd_);
    go_fd_ = -1;
}

int Child::wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
}

char proc_state(pid_t pid) {
    std::string stat = read_trimmed("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

std::string proc_cgroup(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace cgtest
