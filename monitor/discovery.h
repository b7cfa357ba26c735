// Which containers there are: mogu's state roots (glob patterns from the config, expanded at
// every collection because containerd namespaces come and go) and, for each container, the labels
// its series carry: cAdvisor's and the kubelet's (id, name, namespace, pod, container, image) and
// the containerd namespace.
#pragma once

#include "common/vm_state_record.h"
#include "monitor/docker_names.h"
#include "monitor/exposition.h"
#include "runtime/runtime.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::monitor {

// Existing directories that match the patterns, sorted, each once.
std::vector<std::string> expand_roots(const std::vector<std::string>& patterns);

struct FoundContainer {
    std::string root;
    runtime::ContainerView view;
    // mogu-vm's containers: what vm.json records. Their view's state is built from it: the pid is
    // the keeper's (QEMU's parent), the cgroup the keeper's and QEMU's on the host, which holds
    // no limits (the guest enforces the spec's).
    std::optional<vm::VmState> vm;
};

// A mogu-vm container whose VM ended (its keeper exited) with the record of that end
// (exit.json): the guest's OOM kills reach the host only this way, never in its kernel log.
struct EndedVmContainer {
    std::string root;
    runtime::ContainerState state;  // as vm.json recorded it
    vm::VmExit exit;
    int64_t recorded_at = 0;        // exit.json's modification time, Unix seconds
};

// The containers under the roots that have a cgroup to read (created, running or paused), and
// mogu-vm's whose keeper runs. State directories of others (runc's own, under roots containerd's
// runc shim shares) do not parse as mogu's and are passed over, as are containers deleted while
// being listed. `ended`, when given, receives mogu-vm's containers that ended and are not yet
// deleted.
std::vector<FoundContainer> find_containers(const std::vector<std::string>& roots, std::vector<EndedVmContainer>* ended = nullptr);

// containerd's namespace from a bundle path ".../io.containerd.runtime.v2.task/<ns>/<id>"
// (the mogu shim, and containerd's runc shim under Docker), "" for anything else.
std::string containerd_namespace_of(const std::string& bundle);

// The labels of every series of one container:
//   id                    its cgroup path, as cAdvisor's id ("/default/web")
//   name                  the container id
//   containerd_namespace  containerd's namespace ("" when mogu was run directly)
//   namespace, pod, container, image   Kubernetes' names, from CRI's (or dockershim's) annotations
// `docker`: for a container Docker runs, its name and image (docker_names.h), which take the
// place of the id as `name` and of the annotation as `image`.
Labels container_labels(const runtime::ContainerState& st, const DockerIdentity* docker = nullptr);

}  // namespace mogu::monitor
