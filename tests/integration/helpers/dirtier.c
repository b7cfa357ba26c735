// mogu-dirtier MIB RATE: writes MIB MiB of memory once, then keeps dirtying RATE MiB of it per
// second (one byte in each page of a window that moves through the buffer, ten steps a second),
// and after each second writes how many seconds it has run to /tmp/count. The process the
// migration bench (bench/migrate.sh) moves: its dirty set per pre-copy round is the rate times
// the round's length, whatever its size.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static void count(unsigned long n) {
    FILE* f = fopen("/tmp/count.new", "w");
    if (!f) return;
    fprintf(f, "%lu\n", n);
    fclose(f);
    rename("/tmp/count.new", "/tmp/count");
}

int main(int argc, char** argv) {
    if (argc != 3 || atol(argv[1]) <= 0 || atol(argv[2]) < 0) {
        fprintf(stderr, "usage: %s MIB RATE_MIB_PER_SECOND\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)atol(argv[1]) << 20, step = ((size_t)atol(argv[2]) << 20) / 10;
    if (step > size) step = size;
    unsigned char* buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("mogu-dirtier: mmap");
        return 1;
    }
    memset(buf, 1, size);
    size_t off = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (unsigned long n = 0;; n++) {
        count(n);
        for (int i = 0; i < 10; i++) {
            for (size_t k = 0; k < step; k += 4096) buf[(off + k) % size]++;
            off = (off + step) % size;
            next.tv_nsec += 100 * 1000 * 1000;
            if (next.tv_nsec >= 1000 * 1000 * 1000) {
                next.tv_sec++;
                next.tv_nsec -= 1000 * 1000 * 1000;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        }
    }
}
