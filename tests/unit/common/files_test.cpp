// find_executable: a program found as execvp finds it, for the callers that must name the file
// (criu, QEMU, the sanitizers' symbolizer) before running or allowing it.
#include "common/files.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

using namespace mogu;

namespace {

std::string make_dir_with_program(const char* name, mode_t mode) {
    char tmpl[] = "/tmp/mogu-files-test.XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    std::string dir = tmpl;
    write_file(dir + "/" + name, "#!/bin/sh\n", mode);
    return dir;
}

}  // namespace

Test(find_executable, searches_path_in_order_skipping_empty_entries_and_files_not_executable) {
    std::string plain = make_dir_with_program("mogu-probe", 0644);
    std::string runnable = make_dir_with_program("mogu-probe", 0755);
    setenv("PATH", (":" + plain + "::" + runnable + ":/nonexistent").c_str(), 1);
    cr_assert_eq(find_executable("mogu-probe"), runnable + "/mogu-probe");
    cr_assert_eq(find_executable("mogu-no-such-program"), "");
    remove_tree(plain);
    remove_tree(runnable);
}

Test(find_executable, a_name_with_a_slash_is_taken_as_it_is) {
    std::string dir = make_dir_with_program("tool", 0755);
    setenv("PATH", "/nonexistent", 1);
    cr_assert_eq(find_executable(dir + "/tool"), dir + "/tool");
    cr_assert_eq(find_executable(dir + "/missing"), "");
    remove_tree(dir);
}

Test(find_executable, without_path_the_standard_directories_are_searched) {
    unsetenv("PATH");
    std::string sh = find_executable("sh");
    cr_assert(sh == "/usr/bin/sh" || sh == "/bin/sh", "sh found at \"%s\"", sh.c_str());
}
