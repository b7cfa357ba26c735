// The one logging path. Writes runc-compatible lines: logrus text (time="..." level=... msg="...")
// or JSON ({"level":"...","msg":"...","time":"..."}), to a file or stderr. Debug lines only with --debug.
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace mogu::log {

enum class Level { debug, info, warning, error };
enum class Format { text, json };

// path empty: stderr. The file is opened for append (containerd hands runc a file or FIFO).
void configure(const std::string& path, Format format, bool debug);
bool debug_enabled();
// True when log lines go somewhere other than stderr.
bool to_file();
// The fd log lines go to (children that close inherited fds keep this one).
int sink_fd();
// For a process about to hand fds 0-2 to someone else (a container's init before its terminal
// takes them): log lines that go to stderr go to a close-on-exec copy of it from now on.
void detach_from_stderr();
void write(Level level, std::string_view msg);
// Formats one line without writing it (exposed for tests).
std::string format_line(Level level, std::string_view msg, Format format);

template <typename... A>
void debug(fmt::format_string<A...> f, A&&... a) {
    if (debug_enabled()) write(Level::debug, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void info(fmt::format_string<A...> f, A&&... a) { write(Level::info, fmt::format(f, std::forward<A>(a)...)); }
template <typename... A>
void warn(fmt::format_string<A...> f, A&&... a) { write(Level::warning, fmt::format(f, std::forward<A>(a)...)); }
template <typename... A>
void error(fmt::format_string<A...> f, A&&... a) { write(Level::error, fmt::format(f, std::forward<A>(a)...)); }

}  // namespace mogu::log
