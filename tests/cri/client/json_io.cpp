#include "tests/cri/client/json_io.h"

#include "common/error.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

namespace mogu::cri {

void read_json_file(const std::string& path, google::protobuf::Message& message) {
    std::string text;
    if (path == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
        std::ifstream in(path);
        if (!in) throw SysError(errno, "open {}", path);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a typo in a test's config must fail, not be dropped
    auto status = google::protobuf::util::JsonStringToMessage(text, &message, options);
    if (!status.ok())
        throw Error("{}: not a {}: {}", path, message.GetDescriptor()->name(), std::string(status.message()));
}

void print_json(const google::protobuf::Message& message) {
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    std::string out;
    auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
    if (!status.ok()) throw Error("JSON of {}: {}", message.GetDescriptor()->name(), std::string(status.message()));
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace mogu::cri
