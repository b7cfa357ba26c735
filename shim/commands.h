// The shim's subcommands. main.cpp parses flags into ShimFlags and calls one of these.
#pragma once

#include <string>

namespace mogu::shim {

struct ShimFlags {
    std::string ns;                // -namespace
    std::string address;           // -address: containerd's gRPC socket
    std::string publish_binary;    // -publish-binary (unused: we publish over ttrpc)
    std::string id;                // -id
    std::string bundle;            // -bundle (delete); the working directory otherwise
    std::string ttrpc_address;     // $TTRPC_ADDRESS: where events go
    bool debug = false;
};

// The address convention of containerd's shims: unix:///run/containerd/s/<sha256 of address/ns/id>.
std::string shim_socket_address(const std::string& containerd_address, const std::string& ns, const std::string& id);

// start: bind the socket, fork the long-lived shim, write <bundle>/address, print the address.
int run_start(const ShimFlags& flags);
// delete: clean up a container whose shim died; prints a DeleteResponse.
int run_delete(const ShimFlags& flags);

}  // namespace mogu::shim
