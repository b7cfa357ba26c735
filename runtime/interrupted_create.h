// A create that died half-way (killed, out of memory, power cut) leaves a state directory with no
// state.json. Before it makes anything outside that directory, create writes creating.json there:
// the cgroup it is about to make and, once cloned, the init's pid and start time. `delete --force`
// reads it back to kill that init and remove that cgroup before removing the directory.
#pragma once

#include "runtime/runtime.h"
#include "runtime/state.h"

#include <string>

namespace mogu::runtime {

// <dir>/creating.json: what an interrupted create would leave outside its directory.
void record_creating(const ContainerDir& dir, const ContainerState& partial);
// The create finished (state.json is written): the record is no longer needed.
void forget_creating(const ContainerDir& dir);

// For `delete --force` of an id whose directory has no state.json: when no create holds its lock,
// kills the recorded init, removes the recorded cgroup if nobody else is in it, and removes the
// directory. Does nothing for an id with no directory or one still being created.
void remove_interrupted_create(const Context& ctx, const std::string& id);

}  // namespace mogu::runtime
