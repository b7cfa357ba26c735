// mogu-lock-writer LOCKFILE LOGFILE: takes an exclusive flock on LOCKFILE, then appends "tick"
// to LOGFILE through one open fd every 50 ms, forever. For the checkpoint tests: a process with
// an open file and a file lock of its own (busybox has no flock applet).
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LOCKFILE LOGFILE\n", argv[0]);
        return 2;
    }
    int lock = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int log = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || log < 0 || flock(lock, LOCK_EX) < 0) {
        perror("mogu-lock-writer");
        return 1;
    }
    struct timespec step = {0, 50 * 1000 * 1000};
    for (;;) {
        if (write(log, "tick\n", 5) != 5) return 1;
        nanosleep(&step, NULL);
    }
}
