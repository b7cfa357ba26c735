// The shim's wire messages: containerd's task, event, mount, runc option and cgroup metrics
// messages (shim/proto/*.proto) as protobuf-c structs, under short names by proto package
// (pb::task::StateRequest is containerd.task.v2.StateRequest). Their descriptors for
// common/protobuf_c.h come from the generated protobuf_c_types.h (mk/protobuf-c-types); a message
// added to a .proto gets its short name here.
#pragma once

#include "common/protobuf_c.h"
#include "shim/proto/protobuf_c_types.h"  // generated: every .pb-c.h and its descriptors

namespace mogu::shim::pb {

namespace cgroups_v1 {
using Metrics = Io__Containerd__Cgroups__V1__Metrics;
using HugetlbStat = Io__Containerd__Cgroups__V1__HugetlbStat;
using PidsStat = Io__Containerd__Cgroups__V1__PidsStat;
using CPUStat = Io__Containerd__Cgroups__V1__CPUStat;
using CPUUsage = Io__Containerd__Cgroups__V1__CPUUsage;
using Throttle = Io__Containerd__Cgroups__V1__Throttle;
using MemoryStat = Io__Containerd__Cgroups__V1__MemoryStat;
using MemoryEntry = Io__Containerd__Cgroups__V1__MemoryEntry;
using MemoryOomControl = Io__Containerd__Cgroups__V1__MemoryOomControl;
using BlkIOStat = Io__Containerd__Cgroups__V1__BlkIOStat;
using BlkIOEntry = Io__Containerd__Cgroups__V1__BlkIOEntry;
using RdmaStat = Io__Containerd__Cgroups__V1__RdmaStat;
using RdmaEntry = Io__Containerd__Cgroups__V1__RdmaEntry;
using NetworkStat = Io__Containerd__Cgroups__V1__NetworkStat;
using CgroupStats = Io__Containerd__Cgroups__V1__CgroupStats;
using MoguPressure = Io__Containerd__Cgroups__V1__MoguPressure;
using MoguPressureLine = Io__Containerd__Cgroups__V1__MoguPressureLine;
using MoguLoadAverage = Io__Containerd__Cgroups__V1__MoguLoadAverage;
}  // namespace cgroups_v1

namespace cgroups_v2 {
using Metrics = Io__Containerd__Cgroups__V2__Metrics;
using PidsStat = Io__Containerd__Cgroups__V2__PidsStat;
using CPUStat = Io__Containerd__Cgroups__V2__CPUStat;
using MemoryStat = Io__Containerd__Cgroups__V2__MemoryStat;
using MemoryEvents = Io__Containerd__Cgroups__V2__MemoryEvents;
using IOStat = Io__Containerd__Cgroups__V2__IOStat;
using IOEntry = Io__Containerd__Cgroups__V2__IOEntry;
using HugeTlbStat = Io__Containerd__Cgroups__V2__HugeTlbStat;
using MoguPressure = Io__Containerd__Cgroups__V2__MoguPressure;
using MoguPressureLine = Io__Containerd__Cgroups__V2__MoguPressureLine;
using MoguLoadAverage = Io__Containerd__Cgroups__V2__MoguLoadAverage;
}  // namespace cgroups_v2

namespace events {
using TaskCreate = Containerd__Events__TaskCreate;
using TaskStart = Containerd__Events__TaskStart;
using TaskDelete = Containerd__Events__TaskDelete;
using TaskIO = Containerd__Events__TaskIO;
using TaskExit = Containerd__Events__TaskExit;
using TaskOOM = Containerd__Events__TaskOOM;
using TaskExecAdded = Containerd__Events__TaskExecAdded;
using TaskExecStarted = Containerd__Events__TaskExecStarted;
using TaskPaused = Containerd__Events__TaskPaused;
using TaskResumed = Containerd__Events__TaskResumed;
using TaskCheckpointed = Containerd__Events__TaskCheckpointed;
}  // namespace events

namespace events_service {
using ForwardRequest = Containerd__Services__Events__Ttrpc__V1__ForwardRequest;
using Envelope = Containerd__Services__Events__Ttrpc__V1__Envelope;
}  // namespace events_service

namespace types {
using Mount = Containerd__Types__Mount;
}  // namespace types

namespace runc {
using Options = Containerd__Runc__V1__Options;
using ProcessDetails = Containerd__Runc__V1__ProcessDetails;
using CheckpointOptions = Containerd__Runc__V1__CheckpointOptions;
}  // namespace runc

namespace runtimeoptions {
using Options = Runtimeoptions__V1__Options;
}  // namespace runtimeoptions

namespace task {
using CreateTaskRequest = Containerd__Task__V2__CreateTaskRequest;
using CreateTaskResponse = Containerd__Task__V2__CreateTaskResponse;
using DeleteRequest = Containerd__Task__V2__DeleteRequest;
using DeleteResponse = Containerd__Task__V2__DeleteResponse;
using ExecProcessRequest = Containerd__Task__V2__ExecProcessRequest;
using ResizePtyRequest = Containerd__Task__V2__ResizePtyRequest;
using StateRequest = Containerd__Task__V2__StateRequest;
using StateResponse = Containerd__Task__V2__StateResponse;
using KillRequest = Containerd__Task__V2__KillRequest;
using CloseIORequest = Containerd__Task__V2__CloseIORequest;
using PidsRequest = Containerd__Task__V2__PidsRequest;
using PidsResponse = Containerd__Task__V2__PidsResponse;
using CheckpointTaskRequest = Containerd__Task__V2__CheckpointTaskRequest;
using UpdateTaskRequest_AnnotationsEntry = Containerd__Task__V2__UpdateTaskRequest__AnnotationsEntry;
using UpdateTaskRequest = Containerd__Task__V2__UpdateTaskRequest;
using StartRequest = Containerd__Task__V2__StartRequest;
using StartResponse = Containerd__Task__V2__StartResponse;
using WaitRequest = Containerd__Task__V2__WaitRequest;
using WaitResponse = Containerd__Task__V2__WaitResponse;
using StatsRequest = Containerd__Task__V2__StatsRequest;
using StatsResponse = Containerd__Task__V2__StatsResponse;
using ConnectRequest = Containerd__Task__V2__ConnectRequest;
using ConnectResponse = Containerd__Task__V2__ConnectResponse;
using ShutdownRequest = Containerd__Task__V2__ShutdownRequest;
using PauseRequest = Containerd__Task__V2__PauseRequest;
using ResumeRequest = Containerd__Task__V2__ResumeRequest;
}  // namespace task

namespace task_types {
using Status = Containerd__V1__Types__Status;
using ProcessInfo = Containerd__V1__Types__ProcessInfo;
}  // namespace task_types

namespace wkt {
using Any = Mogu__Wkt__Any;
using Timestamp = Mogu__Wkt__Timestamp;
using Empty = Mogu__Wkt__Empty;
}  // namespace wkt

}  // namespace mogu::shim::pb
