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
};

struct SyncMessage {
    SyncType type;
    int32_t value = 0;
    std::string text;
};

struct SyncPair {
    UniqueFd parent;
    UniqueFd child;
};

SyncPair make_sync_pair();
void sync_send(int fd, const SyncMessage& m);
// nullopt on EOF (the other side closed or exec'd: the socket is close-on-exec).
std::optional<SyncMessage> sync_recv(int fd);
// Receives and requires a given type; an error message is rethrown as Error.
void sync_expect(int fd, SyncType type, const char* what);

}  // namespace mogu::runtime
