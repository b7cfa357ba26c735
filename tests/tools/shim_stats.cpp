// mogu-shim-stats ADDRESS ID: calls containerd.task.v2.Task/Stats on a shim's ttrpc socket
// (ADDRESS as the bundle's `address` file holds it) and prints the metrics it answers as one
// JSON object: {"type": "<the Any's type>", "metrics": {...}}, every field with the proto's own
// name, zeros included, so that mogu's extension fields (1000+) show: `ctr task metrics` drops
// fields it does not know. Integration tests read it with jq; exit 1 with a message on stderr
// when the call fails or the answer does not decode.
#include "common/error.h"
#include "mogu_full/cgroups_v1.pb.h"
#include "mogu_full/cgroups_v2.pb.h"
#include "shim/proto/shim.pb.h"
#include "ttrpc/client.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <string>

namespace {

std::string to_json(const google::protobuf::Message& m) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;  // a zero is a value here; unset messages stay out
    std::string out;
    auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
    if (!status.ok()) throw mogu::Error("print {} as JSON: {}", m.GetTypeName(), status.ToString());
    return out;
}

template <typename Metrics>
std::string decode(const std::string& value) {
    Metrics m;
    if (!m.ParseFromString(value)) throw mogu::Error("the Stats answer is not a valid {}", m.GetTypeName());
    return to_json(m);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: mogu-shim-stats ADDRESS CONTAINER-ID\n");
        return 2;
    }
    try {
        auto client = mogu::ttrpc::Client::connect(argv[1]);
        containerd::task::v2::StatsRequest req;
        req.set_id(argv[2]);
        auto resp = client->call<containerd::task::v2::StatsResponse>("containerd.task.v2.Task", "Stats", req, 10000);
        // containerd's typeurl accepts the bare name or "type.googleapis.com/<name>".
        std::string type = resp.stats().type_url();
        type = type.substr(type.rfind('/') + 1);
        std::string metrics;
        if (type == io::containerd::cgroups::v1::Metrics().GetTypeName())
            metrics = decode<io::containerd::cgroups::v1::Metrics>(resp.stats().value());
        else if (type == io::containerd::cgroups::v2::Metrics().GetTypeName())
            metrics = decode<io::containerd::cgroups::v2::Metrics>(resp.stats().value());
        else
            throw mogu::Error("the Stats answer holds an unknown type \"{}\"", resp.stats().type_url());
        std::printf("{\"type\":\"%s\",\"metrics\":%s}\n", type.c_str(), metrics.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mogu-shim-stats: %s\n", e.what());
        return 1;
    }
}
