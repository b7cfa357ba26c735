// crictl's JSON files in, JSON out: protobuf's JSON mapping with the proto field names
// (crictl's pod-config.json and container-config.json use them: "log_directory", "dns_config").
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace mogu::cri {

// Reads PATH ("-" for stdin) into MESSAGE; an unknown field or a wrong type names the file.
void read_json_file(const std::string& path, google::protobuf::Message& message);

// One JSON document on stdout, proto field names, zero values included.
void print_json(const google::protobuf::Message& message);

}  // namespace mogu::cri
