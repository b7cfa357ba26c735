#include "common/cli_args.h"

#include "common/error.h"
#include "common/strings.h"

namespace mogu::cli {

const FlagSpec* Args::find(const std::string& name) const {
    for (const auto& s : specs_)
        for (const auto& n : s.names)
            if (n == name) return &s;
    return nullptr;
}

const FlagSpec* Args::flag_named_by(const std::string& arg) const {
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") return nullptr;
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    return find(body.substr(0, body.find('=')));
}

std::vector<std::string> Args::flags_first(const std::vector<std::string>& argv, size_t begin) const {
    std::vector<std::string> flags, rest;
    for (size_t i = begin; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--") {
            rest.insert(rest.end(), argv.begin() + static_cast<long>(i), argv.end());
            break;
        }
        const FlagSpec* spec = flag_named_by(a);
        if (!spec) {
            rest.push_back(a);
            continue;
        }
        flags.push_back(a);
        if (spec->takes_value && a.find('=') == std::string::npos && i + 1 < argv.size()) flags.push_back(argv[++i]);
    }
    flags.insert(flags.end(), rest.begin(), rest.end());
    return flags;
}

Args::Args(const std::string& command, const std::vector<FlagSpec>& specs, const std::vector<std::string>& original, size_t first,
           FlagPlacement placement)
    : command_(command), specs_(specs) {
    std::vector<std::string> reordered;
    if (placement == FlagPlacement::anywhere) reordered = flags_first(original, first);
    const std::vector<std::string>& argv = placement == FlagPlacement::anywhere ? reordered : original;
    size_t begin = placement == FlagPlacement::anywhere ? 0 : first;
    size_t i = begin;
    for (; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() < 2 || a[0] != '-') break;
        std::string body = a.substr(a[1] == '-' ? 2 : 1);
        std::optional<std::string> inline_value;
        if (auto eq = body.find('='); eq != std::string::npos) {
            inline_value = body.substr(eq + 1);
            body.resize(eq);
        }
        const FlagSpec* spec = find(body);
        if (!spec) throw UsageError("{}: unknown flag {} (see mogu {} --help)", command, a, command);
        const std::string& key = spec->names.front();
        std::string v;
        if (spec->takes_value) {
            if (inline_value) v = *inline_value;
            else if (i + 1 < argv.size()) v = argv[++i];
            else throw UsageError("{}: flag --{} needs a value", command, key);
        } else {
            v = inline_value.value_or("true");
            if (v != "true" && v != "false" && v != "1" && v != "0")
                throw UsageError("{}: flag --{} takes true or false, not \"{}\"", command, key, v);
            v = (v == "1" || v == "true") ? "true" : "false";
        }
        auto& slot = values_[key];
        if (!spec->repeatable) slot.clear();
        slot.push_back(v);
    }
    positional_.assign(argv.begin() + static_cast<long>(std::min(i, argv.size())), argv.end());
}

bool Args::flag(const std::string& name) const {
    auto it = values_.find(name);
    return it != values_.end() && !it->second.empty() && it->second.back() == "true";
}

std::optional<std::string> Args::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::string Args::value_or(const std::string& name, const std::string& def) const { return value(name).value_or(def); }

std::vector<std::string> Args::values(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<int64_t> Args::int_value(const std::string& name) const {
    auto v = value(name);
    if (!v) return std::nullopt;
    auto n = parse_int(*v);
    if (!n) throw UsageError("{}: --{} takes an integer, not \"{}\"", command_, name, *v);
    return n;
}

void Args::require_positional(size_t min, size_t max) const {
    size_t n = positional_.size();
    if (n >= min && n <= max) return;
    if (min == max) throw UsageError("\"{}\" requires exactly {} argument(s)", command_, min);
    if (n < min) throw UsageError("\"{}\" requires a minimum of {} argument(s)", command_, min);
    throw UsageError("\"{}\" requires a maximum of {} argument(s)", command_, max);
}

std::string flags_help(const std::vector<FlagSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string names;
        for (const auto& n : s.names) names += (names.empty() ? "" : ", ") + std::string(n.size() == 1 ? "-" : "--") + n;
        if (s.takes_value) names += " value";
        out += "   " + names;
        out += std::string(names.size() < 32 ? 34 - names.size() : 2, ' ') + s.help + "\n";
    }
    return out;
}

}  // namespace mogu::cli
