// Which criu mogu runs: `--criu PATH`, else the one `make deps` built into the private prefix
// (MOGU_CRIU_PREFIX, /opt/mogu/criu), else criu on PATH. It must answer criu's RPC and be at
// least kMinimumVersion: Debian 12's 3.17 cannot dump on kernels with the newer vDSO.
#pragma once

#include <string>

namespace mogu::runtime::criu {

inline constexpr int kMinimumVersion = 40100;  // 4.1.0

// `explicit_path`: --criu's value, or "". The error names `make deps` and --criu.
struct Binary {
    std::string path;
    int version = 0;  // major*10000 + minor*100 + sublevel
};
Binary find_binary(const std::string& explicit_path);

// "4.1.1"
std::string version_text(int version);

// Where `make deps` installs criu.
std::string private_criu_path();

}  // namespace mogu::runtime::criu
