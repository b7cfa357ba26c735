#include "runtime/node/kernel_config.h"

#include "common/strings.h"

namespace mogu::node {

KernelConfig KernelConfig::parse(const std::string& text) {
    KernelConfig c;
    for (const auto& raw : split(text, '\n')) {
        auto line = trim(raw);
        if (line.size() < 8 || line.substr(0, 7) != "CONFIG_") continue;  // "# CONFIG_X is not set" is the absence
        auto eq = line.find('=');
        if (eq == std::string_view::npos || eq == 7) continue;
        std::string name(line.substr(0, eq));
        std::string v(line.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (v == "n") continue;
        c.values_[name] = v;
    }
    return c;
}

std::optional<std::string> KernelConfig::value(const std::string& option) const {
    auto it = values_.find(option);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

bool KernelConfig::enabled(const std::string& option) const {
    auto v = value(option);
    return v && (*v == "y" || *v == "m");
}

bool KernelConfig::builtin(const std::string& option) const {
    auto v = value(option);
    return v && *v == "y";
}

}  // namespace mogu::node
