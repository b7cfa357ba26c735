#include "common/kmsg_record.h"

#include "common/fd.h"
#include "common/strings.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace mogu {

std::optional<KmsgRecord> parse_kmsg_record(std::string_view raw) {
    auto semi = raw.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    auto header = split(raw.substr(0, semi), ',');
    // prio, seq, usec, flags; later kernels may add fields (",caller=T123"), which are skipped.
    if (header.size() < 4) return std::nullopt;
    auto prio = parse_uint(header[0]), seq = parse_uint(header[1]), usec = parse_uint(header[2]);
    if (!prio || !seq || !usec || *prio > 0xffff || header[3].size() > 1) return std::nullopt;
    KmsgRecord r;
    r.facility = static_cast<int>(*prio >> 3);
    r.level = static_cast<int>(*prio & 7);
    r.seq = *seq;
    r.usec = *usec;
    r.flags = header[3].empty() ? '-' : header[3][0];
    auto body = raw.substr(semi + 1);
    auto nl = body.find('\n');
    r.message = std::string(body.substr(0, nl));
    // Dictionary: " KEY=value" lines after the message.
    while (nl != std::string_view::npos) {
        body = body.substr(nl + 1);
        nl = body.find('\n');
        auto line = body.substr(0, nl);
        if (line.empty() || line[0] != ' ') continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos || eq < 2) continue;
        r.dict.emplace_back(std::string(line.substr(1, eq - 1)), std::string(line.substr(eq + 1)));
    }
    return r;
}

std::optional<OomKillSummary> parse_oom_kill_summary(std::string_view message) {
    static constexpr std::string_view prefix = "oom-kill:";
    if (message.substr(0, prefix.size()) != prefix) return std::nullopt;
    OomKillSummary s;
    for (const auto& kv : split(message.substr(prefix.size()), ',')) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        auto k = kv.substr(0, eq), v = kv.substr(eq + 1);
        if (k == "task_memcg") s.cgroup = v;
        else if (k == "task") s.task = v;
        else if (k == "pid") {
            auto n = parse_uint(v);
            if (n && *n > 0 && *n <= 0x3fffffff) s.pid = static_cast<pid_t>(*n);
        }
    }
    return s;
}

std::optional<OomKillSummary> last_oom_kill_in(const std::string& cgroup) {
    UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::optional<OomKillSummary> last;
    char buf[8192];  // a record is at most 1 KiB of text plus its dictionary
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EPIPE) continue;  // records overwritten while reading: go on with the next
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;                      // EAGAIN: everything logged so far was read
        auto r = parse_kmsg_record(std::string_view(buf, size_t(n)));
        if (!r || !r->from_kernel()) continue;
        auto s = parse_oom_kill_summary(r->message);
        if (s && s->cgroup == cgroup) last = std::move(s);
    }
    return last;
}

}  // namespace mogu
