#include "tests/fuzz/sandbox.h"

#include "common/files.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace mogu::fuzz {
namespace {

// Rights of later ABIs than Debian 12's header (6.1) knows.
constexpr uint64_t kTruncate = 1ULL << 14;  // ABI 3

[[noreturn]] void give_up(int status, const std::string& what) {
    std::fprintf(stderr, "==FUZZ== sandbox: %s\n", what.c_str());
    std::exit(status);
}

bool is_dir(const std::string& path) {
    int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

// Where libFuzzer writes: corpus directories given as arguments (it adds new inputs to the
// first), the artifact prefix's directory (crash-*, leak-*), else the working directory.
std::vector<std::string> writable_dirs(int argc, char** argv) {
    std::vector<std::string> dirs;
    bool artifact_prefix = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("-artifact_prefix=", 0) == 0) {
            std::string prefix = arg.substr(std::strlen("-artifact_prefix="));
            dirs.push_back(prefix.empty() || prefix.back() == '/' ? (prefix.empty() ? "." : prefix) : dirname_of(prefix));
            artifact_prefix = true;
        } else if (arg.rfind("-exact_artifact_path=", 0) == 0) {
            dirs.push_back(dirname_of(arg.substr(std::strlen("-exact_artifact_path="))));
            artifact_prefix = true;
        } else if (arg[0] != '-' && is_dir(arg)) {
            dirs.push_back(arg);
        }
    }
    if (!artifact_prefix) dirs.push_back(".");
    const char* tmp = std::getenv("TMPDIR");
    dirs.push_back(tmp && *tmp ? tmp : "/tmp");
    return dirs;
}

void allow_beneath(int ruleset, const std::string& path, uint64_t rights) {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) give_up(1, "open " + path + ": " + std::strerror(errno));
    landlock_path_beneath_attr rule{};
    rule.allowed_access = rights;
    rule.parent_fd = fd;
    if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
        give_up(1, "landlock rule for " + path + ": " + std::strerror(errno));
    ::close(fd);
}

// The sanitizers run llvm-symbolizer to name functions (libFuzzer's NEW_FUNC lines, stack
// traces); a symbolizer that cannot be executed leaves them writing into a dead pipe, and
// SIGPIPE ends the run (exit 141) as if it were a finding. That one program may be executed,
// with the dynamic loader the kernel opens for it; it reads the binary and writes only to its
// pipe. Found as the sanitizers find it: $ASAN_SYMBOLIZER_PATH, else llvm-symbolizer in $PATH.
std::vector<std::string> symbolizer_files() {
    const char* env = std::getenv("ASAN_SYMBOLIZER_PATH");
    std::string symbolizer = find_executable(env && *env ? env : "llvm-symbolizer");
    if (symbolizer.empty()) return {};
    std::vector<std::string> files = {symbolizer};
    for (const char* loader : {"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"})
        if (::access(loader, F_OK) == 0) files.emplace_back(loader);
    return files;
}

}  // namespace

void enter_write_sandbox(int argc, char** argv) {
    const char* off = std::getenv("MOGU_FUZZ_NO_SANDBOX");
    if (off && std::strcmp(off, "1") == 0) {
        std::fprintf(stderr, "==FUZZ== sandbox: off (MOGU_FUZZ_NO_SANDBOX=1)\n");
        return;
    }
    long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1)
        give_up(3, std::string("this kernel has no Landlock (") + std::strerror(errno) +
                       "): the target runs only sandboxed; MOGU_FUZZ_NO_SANDBOX=1 runs it unconfined");

    uint64_t writes = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                      LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                      LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
                      LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) writes |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) writes |= kTruncate;
    landlock_ruleset_attr attr{};
    attr.handled_access_fs = writes | LANDLOCK_ACCESS_FS_EXECUTE;
    int ruleset = int(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
    if (ruleset < 0) give_up(1, std::string("landlock ruleset: ") + std::strerror(errno));

    for (const auto& dir : writable_dirs(argc, argv)) allow_beneath(ruleset, dir, writes);
    uint64_t file_writes = LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? kTruncate : 0);
    allow_beneath(ruleset, "/dev/null", file_writes);
    for (const auto& file : symbolizer_files()) allow_beneath(ruleset, file, LANDLOCK_ACCESS_FS_EXECUTE);

    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) give_up(1, std::string("no_new_privs: ") + std::strerror(errno));
    if (::syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
        give_up(1, std::string("landlock_restrict_self: ") + std::strerror(errno));
    ::close(ruleset);
}

}  // namespace mogu::fuzz
