// mogu-syscall NR...: calls each syscall by number (all arguments 0) and prints what came back,
// one line each: "NR ok RET" or "NR errno E". For tests of seccomp profiles.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        long nr = strtol(argv[i], NULL, 10);
        errno = 0;
        long ret = syscall(nr, 0, 0, 0, 0, 0, 0);
        if (ret < 0) printf("%ld errno %d\n", nr, errno);
        else printf("%ld ok %ld\n", nr, ret);
    }
    return 0;
}
