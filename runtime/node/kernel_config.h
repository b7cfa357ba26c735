// A kernel's build configuration (the text of /proc/config.gz or /boot/config-<release>): which
// options are built in (y), modules (m), set to a value, or not set.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace mogu::node {

class KernelConfig {
public:
    // "CONFIG_X=y", "CONFIG_X=m", "CONFIG_X=\"text\"", "CONFIG_X=123", "# CONFIG_X is not set";
    // other lines are ignored. Names are kept with their CONFIG_ prefix.
    static KernelConfig parse(const std::string& text);

    // The value as written ("y", "m", "\"text\"" unquoted to "text"); nullopt when not set.
    std::optional<std::string> value(const std::string& option) const;
    bool enabled(const std::string& option) const;  // y or m
    bool builtin(const std::string& option) const;  // y
    size_t size() const { return values_.size(); }

private:
    std::map<std::string, std::string> values_;
};

}  // namespace mogu::node
