#include "tests/fuzz/fuzz_support.h"

#include "common/files.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mogu::fuzz {
namespace {

std::vector<std::string>& temp_dirs() {
    static std::vector<std::string> dirs;
    return dirs;
}

void remove_temp_dirs() {
    for (const auto& d : temp_dirs()) {
        try {
            remove_tree(d);
        } catch (...) {
        }
    }
}

}  // namespace

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "==FUZZ== broken property: %s\n", what);
    std::abort();
}

std::string make_temp_dir(const char* prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        std::abort();
    }
    if (temp_dirs().empty()) std::atexit(remove_temp_dirs);
    temp_dirs().push_back(tmpl);
    return tmpl;
}

void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) < 0) {
        std::perror(path.c_str());
        std::abort();
    }
}

std::string first_entry(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        std::perror(dir.c_str());
        std::abort();
    }
    std::string found;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") {
            found = name;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace mogu::fuzz
