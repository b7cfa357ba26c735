#include "runtime/tty_proxy.h"

#include "common/error.h"
#include "runtime/terminal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace mogu::runtime {
namespace {

// Copies what is readable now; false at EOF or error.
bool pump(int from, int to) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return false;
        }
        off += w;
    }
    return true;
}

}  // namespace

TtyProxy::TtyProxy(int socket_fd) : socket_fd_(socket_fd) {}

TtyProxy::~TtyProxy() {
    if (restore_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void TtyProxy::resize() {
    struct winsize ws;
    if (master_ && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ::ioctl(master_.get(), TIOCSWINSZ, &ws);
}

int TtyProxy::proxy_until_exit(SignalForwarder& signals, pid_t child) {
    master_ = receive_pty_master(socket_fd_);  // ONLCR is off already (setup_console)
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
        struct termios raw = saved_;
        cfmakeraw(&raw);
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) restore_ = true;
        resize();
    }
    bool stdin_open = true, master_open = true;
    for (;;) {
        struct pollfd fds[3] = {{signals.fd(), POLLIN, 0}, {master_.get(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        nfds_t n = stdin_open ? 3 : 2;
        if (!master_open) fds[1].fd = -1;
        if (::poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            throw SysError(errno, "poll the terminal");
        }
        if (fds[0].revents) {
            if (auto st = signals.handle_one(child, [this] { resize(); })) {
                // Drain what the process wrote before exiting.
                while (master_open && pump(master_.get(), STDOUT_FILENO)) {
                    struct pollfd p = {master_.get(), POLLIN, 0};
                    if (::poll(&p, 1, 0) <= 0) break;
                }
                return *st;
            }
        }
        if (master_open && fds[1].revents) master_open = pump(master_.get(), STDOUT_FILENO);
        if (stdin_open && n == 3 && fds[2].revents) {
            stdin_open = pump(STDIN_FILENO, master_.get());
            if (!stdin_open) {
                // End of our input: send the terminal's EOF character, as a user typing ^D would.
                char eof = 4;
                ssize_t ignored = ::write(master_.get(), &eof, 1);
                (void)ignored;
            }
        }
    }
}

}  // namespace mogu::runtime
