// The annotations other parts set or read for mogu-vm; mogu-vm's own io.mogu.vm.* keys are in
// kvm-launcher/host/vm_options.h.
#pragma once

namespace mogu::vm {

inline constexpr const char* kIsolationAnnotation = "io.mogu.isolation";  // "vm" sends a container to mogu-vm

}  // namespace mogu::vm
