// mogu-vfork-waiter GOFILE: vfork()s once; the child waits (polling every 10 ms) until GOFILE
// exists, then execs /bin/true, and the parent, which vfork holds until then, sleeps forever.
// For the checkpoint tests: a process caught between vfork and exec, as shells, system(),
// posix_spawn and Go's os/exec are now and then, for as long as the test wants.
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s GOFILE\n", argv[0]);
        return 2;
    }
    struct timespec tick = {0, 10 * 1000 * 1000};
    pid_t child = vfork();
    if (child == 0) {
        struct stat st;
        while (stat(argv[1], &st) != 0) nanosleep(&tick, NULL);
        execl("/bin/true", "true", (char*)NULL);
        _exit(127);
    }
    if (child < 0) {
        perror("mogu-vfork-waiter: vfork");
        return 1;
    }
    waitpid(child, NULL, 0);
    for (;;) pause();
}
