// mogu-cri: a CRI client (runtime.v1 RuntimeService and ImageService over gRPC) with crictl's
// verbs, for the tests: what a kubelet would ask containerd's CRI plugin, without a kubelet.
#include "tests/cri/client/commands.h"

#include "common/error.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace {

const char* kUsage =
    "usage: mogu-cri [--runtime-endpoint unix:///SOCK] [--timeout SECONDS] COMMAND ...\n"
    "  version | info | images | inspecti IMAGE\n"
    "  runp [--runtime HANDLER] POD.json | stopp ID... | rmp ID... | inspectp ID | pods [--id ID] [--state S]\n"
    "  create POD-ID CONTAINER.json POD.json | start ID | stop [--timeout S] ID | rm ID | inspect ID\n"
    "  ps [--pod ID] | stats [ID | --pod ID] | exec [--timeout S] ID COMMAND [ARG...]\n"
    "  update [--cpu-period N] [--cpu-quota N] [--cpu-share N] [--memory BYTES] [--cpuset-cpus CPUS] ID\n"
    "  reopenlog ID | exec-url [-i] [-t] ID COMMAND [ARG...] | attach-url [-i] [-t] ID (print the stream URL)\n"
    "JSON files are crictl's (CRI messages with proto field names); output is JSON, or the ids acted on.\n"
    "The endpoint defaults to $CONTAINER_RUNTIME_ENDPOINT, else unix:///run/containerd/containerd.sock.\n";

}  // namespace

namespace mogu::cri {

std::string take_flag(Words& words, const std::string& name) {
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] == "--") break;
        if (words[i] == name) {
            if (i + 1 >= words.size()) throw UsageError("{} needs a value", name);
            std::string value = words[i + 1];
            words.erase(words.begin() + i, words.begin() + i + 2);
            return value;
        }
    }
    return "";
}

void expect_words(const Words& words, size_t n, const char* usage) {
    if (words.size() != n) throw UsageError("usage: {}", usage);
}

}  // namespace mogu::cri

int main(int argc, char** argv) {
    using namespace mogu;
    using namespace mogu::cri;
    const std::map<std::string, int (*)(Connection&, Words)> commands = {
        {"version", cmd_version}, {"info", cmd_info},       {"images", cmd_images}, {"inspecti", cmd_inspecti},
        {"runp", cmd_runp},       {"stopp", cmd_stopp},     {"rmp", cmd_rmp},       {"inspectp", cmd_inspectp},
        {"pods", cmd_pods},       {"create", cmd_create},   {"start", cmd_start},   {"stop", cmd_stop},
        {"rm", cmd_rm},           {"inspect", cmd_inspect}, {"ps", cmd_ps},         {"stats", cmd_stats},
        {"exec", cmd_exec},       {"update", cmd_update},   {"reopenlog", cmd_reopenlog},
        {"exec-url", cmd_exec_url}, {"attach-url", cmd_attach_url},
    };
    const char* env = std::getenv("CONTAINER_RUNTIME_ENDPOINT");
    std::string endpoint = env && *env ? env : "unix:///run/containerd/containerd.sock";
    long timeout = 60;
    try {
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; ++i) {
            std::string a = argv[i];
            if ((a == "--runtime-endpoint" || a == "-r") && i + 1 < argc) endpoint = argv[++i];
            else if (a == "--timeout" && i + 1 < argc) timeout = std::stol(argv[++i]);
            else if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
            else throw UsageError("unknown option \"{}\"", a);
        }
        if (i >= argc) throw UsageError("no command");
        auto it = commands.find(argv[i]);
        if (it == commands.end()) throw UsageError("unknown command \"{}\"", argv[i]);
        Connection c = connect(endpoint, std::chrono::seconds(timeout));
        return it->second(c, Words(argv + i + 1, argv + argc));
    } catch (const UsageError& e) {
        std::fprintf(stderr, "mogu-cri: %s\n%s", e.what(), kUsage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mogu-cri: %s\n", e.what());
        return 1;
    }
}
