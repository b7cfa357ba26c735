// Command-line flags the way runc's (urfave/cli + Go flag) parser reads them: "-flag" and
// "--flag", "--flag=value" and "--flag value", booleans with an optional "=true|false", flags
// before the positional arguments, "--" ending them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mogu::cli {

struct FlagSpec {
    std::vector<std::string> names;  // first is the canonical long name: {"bundle", "b"}
    bool takes_value = false;
    bool repeatable = false;
    std::string help;
};

class Args {
public:
    // Parses argv[begin..]; flag parsing stops at the first positional argument (as runc does,
    // so `exec ID sh -c ...` keeps "-c" for the command). Throws UsageError naming the flag.
    Args(const std::string& command, const std::vector<FlagSpec>& specs, const std::vector<std::string>& argv, size_t begin);

    bool flag(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::string value_or(const std::string& name, const std::string& def) const;
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }

    // Enforces the number of positional arguments with runc's wording.
    void require_positional(size_t min, size_t max = static_cast<size_t>(-1)) const;
    // Integer value of a flag, with an error naming it.
    std::optional<int64_t> int_value(const std::string& name) const;
    const std::string& command() const { return command_; }

private:
    const FlagSpec* find(const std::string& name) const;
    std::string command_;
    const std::vector<FlagSpec>& specs_;
    std::map<std::string, std::vector<std::string>> values_;  // canonical name -> values
    std::vector<std::string> positional_;
};

// "Usage" text for a command's flags.
std::string flags_help(const std::vector<FlagSpec>& specs);

}  // namespace mogu::cli
