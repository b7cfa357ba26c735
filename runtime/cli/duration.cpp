#include "runtime/cli/duration.h"

#include "common/error.h"

#include <cctype>
#include <cstdlib>

namespace mogu::cli {

// Go durations: "5s", "100ms", "1m", "1m30s", "1.5s". At most a day: a wait longer than that is
// a typo, and bounding it keeps the arithmetic exact.
std::chrono::milliseconds parse_duration(const std::string& s, const std::string& what) {
    auto bad = [&](const char* why) { return UsageError("{} \"{}\" {} (a duration like 5s or 500ms)", what, s, why); };
    if (s.empty()) throw bad("is empty");
    constexpr double kMaxMs = 24.0 * 3600 * 1000;
    double total_ms = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
        std::string number = s.substr(start, i - start);
        char* end = nullptr;
        double n = std::strtod(number.c_str(), &end);
        if (number.empty() || end != number.c_str() + number.size()) throw bad("is not a number followed by a unit");
        size_t ustart = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::string unit = s.substr(ustart, i - ustart);
        if (unit == "ms") total_ms += n;
        else if (unit == "s") total_ms += n * 1000;
        else if (unit == "m") total_ms += n * 60000;
        else if (unit == "h") total_ms += n * 3600000;
        else throw bad("has an unknown unit");
        if (!(total_ms <= kMaxMs)) throw bad("is longer than a day");
    }
    if (total_ms < 1) throw bad("is shorter than a millisecond");
    return std::chrono::milliseconds(static_cast<long>(total_ms));
}

}  // namespace mogu::cli
