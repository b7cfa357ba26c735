#include "runtime/node/finding.h"

#include <algorithm>

namespace mogu::node {

const char* level_name(Level l) {
    switch (l) {
        case Level::ok: return "OK";
        case Level::warn: return "WARN";
        case Level::fail: return "FAIL";
    }
    return "?";
}

void Report::ok(std::string area, std::string name, std::string detail) {
    findings.push_back({std::move(area), std::move(name), Level::ok, std::move(detail), ""});
}

void Report::warn(std::string area, std::string name, std::string detail, std::string fix) {
    findings.push_back({std::move(area), std::move(name), Level::warn, std::move(detail), std::move(fix)});
}

void Report::fail(std::string area, std::string name, std::string detail, std::string fix) {
    findings.push_back({std::move(area), std::move(name), Level::fail, std::move(detail), std::move(fix)});
}

Level Report::worst() const {
    Level w = Level::ok;
    for (const auto& f : findings) w = std::max(w, f.level);
    return w;
}

size_t Report::count(Level l) const {
    return static_cast<size_t>(std::count_if(findings.begin(), findings.end(), [l](const Finding& f) { return f.level == l; }));
}

}  // namespace mogu::node
