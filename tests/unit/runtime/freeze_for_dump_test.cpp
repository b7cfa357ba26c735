// vfork_in_flight against real processes: a parent held in vfork by a child that waits on a
// pipe, and an ordinary fork child beside it.
#include "runtime/criu/freeze_for_dump.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

using namespace mogu::runtime::criu;

namespace {

// A process that vforks a child reading `go` (the child _exits at EOF or a byte), then, vfork
// over, waits for it and exits. Returns the process; its child is found by /proc's PPid.
pid_t spawn_vfork_parent(int go_read, int go_write) {
    pid_t p = fork();
    if (p == 0) {
        close(go_write);
        pid_t c = vfork();
        if (c == 0) {
            char byte;
            (void)!read(go_read, &byte, 1);
            _exit(0);
        }
        waitpid(c, nullptr, 0);
        _exit(0);
    }
    return p;
}

pid_t child_of(pid_t parent) {
    for (int i = 0; i < 500; ++i) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
        if (FILE* f = fopen(path, "r")) {
            int c = 0;
            int n = fscanf(f, "%d", &c);
            fclose(f);
            if (n == 1) return c;
        }
        usleep(10000);
    }
    return -1;
}

}  // namespace

Test(vfork_in_flight, names_the_parent_and_the_child_that_has_not_execd) {
    // Forked before the pipe exists, so that only the test holds its write end.
    pid_t other = fork();
    if (other == 0) {
        pause();
        _exit(0);
    }
    int go[2];
    cr_assert_eq(pipe(go), 0);
    pid_t parent = spawn_vfork_parent(go[0], go[1]);
    pid_t child = child_of(parent);
    cr_assert_gt(child, 0, "the vfork child of %d did not appear", parent);

    auto found = vfork_in_flight({other, child, parent});
    cr_assert(found.has_value());
    cr_assert_eq(found->first, parent);
    cr_assert_eq(found->second, child);
    // The parent outside the list: nothing to say about the child alone.
    cr_assert(!vfork_in_flight({child, other}).has_value());

    close(go[1]);  // EOF: the child exits, vfork returns
    close(go[0]);
    int status = 0;
    cr_assert_eq(waitpid(parent, &status, 0), parent);
    cr_assert(!vfork_in_flight({other}).has_value());
    kill(other, SIGKILL);
    waitpid(other, nullptr, 0);
}

Test(vfork_in_flight, an_ordinary_fork_child_shares_nothing) {
    pid_t me = getpid();
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    cr_assert(!vfork_in_flight({me, c}).has_value());
    kill(c, SIGKILL);
    waitpid(c, nullptr, 0);
}
