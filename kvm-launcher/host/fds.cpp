#include "kvm-launcher/host/fds.h"

#include "common/log.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace mogu::vm {

void close_fds_except(std::initializer_list<int> keep) {
    std::vector<int> fds;
    if (DIR* d = opendir("/proc/self/fd")) {
        int self = dirfd(d);
        while (dirent* e = readdir(d)) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] == '.' || fd <= 2 || fd == self) continue;
            fds.push_back(fd);
        }
        closedir(d);
    }
    int log_fd = log::to_file() ? log::sink_fd() : -1;
    for (int fd : fds)
        if (fd != log_fd && std::find(keep.begin(), keep.end(), fd) == keep.end()) ::close(fd);
}

}  // namespace mogu::vm
