// criu's page server: a criu that listens on TCP and writes the pages and pagemaps a dumping
// criu (`opts.ps`) sends it into its image directory, for one dump, then exits. Pre-copy
// migration runs one per iteration on the target.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace mogu::runtime::criu {

// "ADDR:PORT" as runc's --page-server takes it: an address (or host name criu resolves) and a
// port 1-65535. Throws UsageError naming the flag.
struct PageServerAddress {
    std::string address;
    uint16_t port = 0;
};
PageServerAddress parse_page_server(const std::string& text, const char* flag);

// One page server started by a PAGE_SERVER request to `criu swrk`, on `address` and a port criu
// picks. criu leaves it as a daemon; this process is a child subreaper while it starts, so the
// daemon becomes our child. Owning: the destructor kills and reaps a server still running.
class PageServer {
public:
    // `images_dir` receives the pages (its `parent` link, if any, names the previous
    // iteration's directory); criu's log goes to `log_dir`/`log_name`.
    PageServer(const std::string& criu_path, const std::string& images_dir, const std::string& log_dir, const std::string& log_name,
               const std::string& address);
    PageServer(const PageServer&) = delete;
    PageServer& operator=(const PageServer&) = delete;
    ~PageServer();

    uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    // Waits until the server exits (its dumping criu is done with it); throws when it does not
    // within `timeout_seconds` or exits on a signal or with a failure.
    void wait(int timeout_seconds);

private:
    // Kills and reaps (when ours) a server still running.
    void stop();

    pid_t pid_ = -1;
    uint16_t port_ = 0;
    bool ours_ = false;  // our child (reaped by waitpid), else only signalled
    std::string log_path_;
};

}  // namespace mogu::runtime::criu
