// Which namespaces a container gets: new ones are created by clone(2) (cgroup: unshared by the
// init once it sits in its cgroup, so the namespace is rooted there), existing ones (a path in
// the spec) are opened by the parent and joined by the init with setns(2).
#pragma once

#include "common/fd.h"
#include "common/oci/spec.h"

#include <sys/types.h>

#include <vector>

namespace mogu::runtime {

struct NamespaceToJoin {
    oci::NamespaceType type;
    UniqueFd fd;
    std::string path;
};

struct NamespacePlan {
    int clone_flags = 0;          // CLONE_NEW* created at clone time
    bool unshare_cgroup = false;  // CLONE_NEWCGROUP after joining the cgroup
    std::vector<NamespaceToJoin> join;  // user namespace first
    bool has(oci::NamespaceType t) const;  // new or joined
    bool creates(oci::NamespaceType t) const;
};

// Opens the namespaces to join; errors name linux.namespaces[i].path.
NamespacePlan plan_namespaces(const oci::Linux& linux);
// Whether the spec gives the container a new namespace of type `t` (an entry without a path),
// from the spec alone: for the verbs that act on an existing container (delete, checkpoint), whose
// joined namespaces may be long gone (a pod's sandbox killed before its containers are deleted).
bool spec_creates_namespace(const oci::Linux& linux, oci::NamespaceType t);
// In the child: setns into every namespace to join (user first).
void join_namespaces(const NamespacePlan& plan);

// The process's namespaces that an exec'd process must enter, opened from /proc/<pid>/ns.
std::vector<NamespaceToJoin> open_process_namespaces(pid_t pid);

}  // namespace mogu::runtime
