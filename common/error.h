// Errors that carry what failed, where, and why. Thrown upward; caught once at each binary's top.
#pragma once

#include <fmt/core.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace mogu {

// Base of every error mogu reports to a user: the message is complete and printable as is.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}

    template <typename... Args>
    explicit Error(fmt::format_string<Args...> f, Args&&... args)
        : std::runtime_error(fmt::format(f, std::forward<Args>(args)...)) {}
};

// A failed system call: "<what>: <strerror(errno)>". Keeps the errno so callers can branch on it.
class SysError : public Error {
public:
    template <typename... Args>
    SysError(int err, fmt::format_string<Args...> f, Args&&... args)
        : Error(compose(err, fmt::format(f, std::forward<Args>(args)...))), errno_(err) {}

    int code() const noexcept { return errno_; }

private:
    static std::string compose(int err, const std::string& what);
    int errno_;
};

// A problem in a user's configuration, named by its JSON path: "config.json: linux.namespaces[2].type: ...".
class SpecError : public Error {
public:
    template <typename... Args>
    SpecError(std::string path, fmt::format_string<Args...> f, Args&&... args)
        : Error(compose(path, fmt::format(f, std::forward<Args>(args)...))), path_(std::move(path)) {}

    const std::string& path() const noexcept { return path_; }

private:
    static std::string compose(const std::string& path, const std::string& what);
    std::string path_;
};

// A bad command line: unknown flag, missing argument. The CLI prints usage hints for these.
class UsageError : public Error {
public:
    using Error::Error;
};

// Throws SysError when a syscall-style return value is negative.
template <typename T, typename... Args>
T check(T rc, fmt::format_string<Args...> f, Args&&... args) {
    if (rc < 0) throw SysError(errno, f, std::forward<Args>(args)...);
    return rc;
}

std::string errno_name(int err);

}  // namespace mogu
