#include "common/error.h"
#include "runtime/lxcfs/lxcfs.h"

namespace mogu::runtime::lxcfs {

std::optional<Mode> parse_mode(const std::string& value) {
    if (value == "true") return Mode::on;
    if (value == "false") return Mode::off;
    if (value == "required") return Mode::required;
    return std::nullopt;
}

const char* mode_name(Mode m) {
    switch (m) {
        case Mode::on: return "true";
        case Mode::required: return "required";
        case Mode::off: break;
    }
    return "false";
}

Mode mode_for(const std::map<std::string, std::string>& annotations, Mode host_default) {
    auto it = annotations.find(kAnnotation);
    if (it == annotations.end()) return host_default;
    auto mode = parse_mode(it->second);
    if (!mode) throw SpecError(fmt::format("annotations[\"{}\"]", kAnnotation), "\"{}\" is not one of true, false, required", it->second);
    return *mode;
}

}  // namespace mogu::runtime::lxcfs
