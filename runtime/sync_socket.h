// The parent <-> container-init channel: a SOCK_SEQPACKET socketpair carrying small typed
// messages. The child reports failures as messages (it never unwinds into the parent's code);
// the parent turns them back into errors.
#pragma once

#include "common/fd.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mogu::runtime {

enum class SyncType : uint32_t {
    go = 1,              // parent -> child: you are in your cgroup (and id-mapped); carry on
    ready = 2,           // child -> parent: set up, waiting for `start` (or about to exec)
    error = 3,           // child -> parent: text is the error message
    hooks_request = 4,   // child -> parent: run createRuntime hooks now (mounts done, before pivot)
    hooks_done = 5,      // parent -> child
    pid = 6,             // child -> parent: the pid of the process that will exec (exec path)
    seccomp_fd = 7,      // child -> parent: the seccomp notify listener fd (attached)
    seccomp_done = 8,    // parent -> child: the listener fd was handed to linux.seccomp.listenerPath
    bind_sources_request = 9,  // child -> parent: open the bind mounts' sources for me (user namespace)
    bind_source = 10,          // parent's helper -> child: the O_PATH fd of mounts[value]'s source
    bind_sources_done = 11,    // parent -> child
};

struct SyncMessage {
    SyncType type;
    int32_t value = 0;
    std::string text;
    UniqueFd fd;  // an fd that came with the message (SCM_RIGHTS), if any
};

struct SyncPair {
    UniqueFd parent;
    UniqueFd child;
};

SyncPair make_sync_pair();
void sync_send(int fd, const SyncMessage& m);
// Sends a message with `attached` passed along (SCM_RIGHTS).
void sync_send_with_fd(int fd, const SyncMessage& m, int attached);
// nullopt on EOF (the other side closed or exec'd: the socket is close-on-exec).
std::optional<SyncMessage> sync_recv(int fd);
// Receives and requires a given type; an error message is rethrown as Error.
void sync_expect(int fd, SyncType type, const char* what);

}  // namespace mogu::runtime
