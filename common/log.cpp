#include "common/log.h"

#include "common/json.h"
#include "common/time_format.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace mogu::log {
namespace {

struct Sink {
    int fd = STDERR_FILENO;
    bool stderr_copy = false;  // fd is a copy of stderr (detach_from_stderr)
    Format format = Format::text;
    bool debug = false;
};

Sink& sink() {
    static Sink s;
    return s;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "info";
}

std::string rfc3339_now() { return rfc3339_nano_now(); }

// logrus quotes values that contain spaces or quotes; we always quote msg, as runc's lines show.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        out += c;
    }
    return out + "\"";
}

}  // namespace

void configure(const std::string& path, Format format, bool debug) {
    Sink& s = sink();
    s.format = format;
    s.debug = debug;
    if (!path.empty()) {
        int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) s.fd = fd;
        else fprintf(stderr, "mogu: open log file %s: %m; logging to stderr\n", path.c_str());
    }
}

bool debug_enabled() { return sink().debug; }

void detach_from_stderr() {
    if (sink().fd != STDERR_FILENO) return;
    int fd = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return;
    sink().fd = fd;
    sink().stderr_copy = true;
}
bool to_file() { return sink().fd != STDERR_FILENO && !sink().stderr_copy; }
int sink_fd() { return sink().fd; }

std::string format_line(Level level, std::string_view msg, Format format) {
    if (format == Format::json) {
        JsonWriter w;
        w.begin_object().kv("level", level_name(level)).kv("msg", msg).kv("time", rfc3339_now()).end_object();
        return w.str() + "\n";
    }
    return fmt::format("time=\"{}\" level={} msg={}\n", rfc3339_now(), level_name(level), quote(msg));
}

void write(Level level, std::string_view msg) {
    std::string line = format_line(level, msg, sink().format);
    // One write() per line so concurrent writers to a shared log file do not interleave.
    ssize_t n;
    do n = ::write(sink().fd, line.data(), line.size());
    while (n < 0 && errno == EINTR);
}

}  // namespace mogu::log
