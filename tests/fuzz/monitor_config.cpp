// Fuzz target: bytes -> mogu-monitor's configuration (monitor.toml through toml++ and our
// readers of its keys, [host], [[rules]] and [alerts]). The input is what an operator writes to
// /etc/mogu/monitor.toml; mogu-monitor reads it at start and on SIGHUP.
//
// Expected outcome for bad input: a mogu::Error naming the file, line and key. Anything else is
// a finding: a sanitizer report, a leak, another exception type (toml++'s own parse_error must
// not escape), a hang, or a config accepted in breach of what the readers promise (below).
#include "common/error.h"
#include "monitor/config.h"
#include "tests/fuzz/fuzz_support.h"

#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

using namespace mogu;
using namespace mogu::monitor;

namespace {

bool numeric_address(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool identifier(const std::string& s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

void check_config(const Config& c) {
    fuzz::require(numeric_address(c.listen.host), "listen accepted a host that is not a numeric address");
    for (const auto* paths : {&c.roots, &c.docker_roots})
        for (const auto& p : *paths) fuzz::require(!p.empty() && p[0] == '/', "a relative state or Docker root accepted");
    fuzz::require(c.interval >= std::chrono::milliseconds(100) && c.interval <= std::chrono::hours(1), "interval outside 100ms..1h accepted");
    for (const auto& r : c.rules) {
        fuzz::require(identifier(r.name), "a rule name that is not [A-Za-z_][A-Za-z0-9_]* accepted");
        fuzz::require(known_metric(r.metric), "a rule on a metric the monitor does not expose accepted");
        fuzz::require(r.severity == "critical" || r.severity == "warning" || r.severity == "info", "a severity outside critical/warning/info accepted");
        fuzz::require(std::isfinite(r.threshold), "a threshold that is nan or inf accepted (the rule could never fire, or always)");
        fuzz::require(r.hold.count() >= 0, "a negative `for` accepted");
        for (const auto& [label, value] : r.matchers) fuzz::require(identifier(label), "a label name that is not an identifier accepted");
    }
    fuzz::require(c.alerts.webhook_timeout.count() > 0, "a webhook_timeout of 0 accepted");
    fuzz::require(c.alerts.webhook_repeat.count() >= 0, "a negative webhook_repeat accepted");
    fuzz::require(c.alerts.oom_resolve_after.count() >= 0, "a negative oom_resolve_after accepted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        check_config(parse_config(text, "monitor.toml"));
    } catch (const Error& e) {
        fuzz::require(e.what()[0] != '\0', "a mogu::Error with an empty message");
    } catch (const std::bad_alloc&) {
        // Only near -rss_limit_mb; ASan reports real allocation bugs itself.
    }
    // The durations' own reader, on the same bytes: what it accepts is never negative.
    std::chrono::milliseconds d{0};
    if (parse_duration(text, d)) fuzz::require(d.count() >= 0, "parse_duration returned a negative duration");
    return 0;
}
