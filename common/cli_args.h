// Command-line flags the way runc's (urfave/cli + Go flag) parser reads them: "-flag" and
// "--flag", "--flag=value" and "--flag value", booleans with an optional "=true|false", "--"
// ending them. urfave/cli moves a verb's known flags in front of its arguments
// (`runc update ID --memory 1g`), except for verbs whose arguments are a command line of their
// own (exec, ps): there flags end at the first argument.
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

enum class FlagPlacement {
    anywhere,      // known flags are taken wherever they stand before "--" (runc's verbs)
    before_args,   // flags end at the first positional argument (global flags; exec and ps)
};

class Args {
public:
    // Parses argv[begin..]. Throws UsageError naming the flag.
    Args(const std::string& command, const std::vector<FlagSpec>& specs, const std::vector<std::string>& argv, size_t begin,
         FlagPlacement placement = FlagPlacement::before_args);

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
    // The flag an argument names ("--memory=1g" -> memory's spec), or nullptr.
    const FlagSpec* flag_named_by(const std::string& arg) const;
    // urfave/cli's reordering: known flags (and the values of those that take one) first.
    std::vector<std::string> flags_first(const std::vector<std::string>& argv, size_t begin) const;
    std::string command_;
    const std::vector<FlagSpec>& specs_;
    std::map<std::string, std::vector<std::string>> values_;  // canonical name -> values
    std::vector<std::string> positional_;
};

// "Usage" text for a command's flags.
std::string flags_help(const std::vector<FlagSpec>& specs);

}  // namespace mogu::cli
