// exec-url, attach-url: Exec and Attach, which answer with a URL of containerd's streaming server
// and nothing more; the test speaks the websocket protocol to that URL itself (tests/cri/stream).
#include "tests/cri/client/commands.h"

#include "common/error.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace mogu::cri {

using namespace runtime::v1;

namespace {

// Takes a bare "-i"/"-t" style switch out of WORDS (before "--"); whether it was there.
bool take_switch(Words& words, const std::string& name) {
    auto end = std::find(words.begin(), words.end(), "--");
    auto it = std::find(words.begin(), end, name);
    if (it == end) return false;
    words.erase(it);
    return true;
}

}  // namespace

int cmd_exec_url(Connection& c, Words w) {
    ExecRequest req;
    bool in = take_switch(w, "-i"), tty = take_switch(w, "-t");
    if (!w.empty() && w[0] == "--") w.erase(w.begin());
    if (w.size() < 2) throw UsageError("usage: exec-url [-i] [-t] CONTAINER-ID COMMAND [ARG...]");
    req.set_container_id(w[0]);
    for (size_t i = 1; i < w.size(); ++i) req.add_cmd(w[i]);
    req.set_stdin(in);
    req.set_tty(tty);
    req.set_stdout(true);
    req.set_stderr(!tty);  // a terminal has one output stream
    std::printf("%s\n", call(c, *c.runtime, &RuntimeService::Stub::Exec, "Exec", req).url().c_str());
    return 0;
}

int cmd_attach_url(Connection& c, Words w) {
    AttachRequest req;
    bool in = take_switch(w, "-i"), tty = take_switch(w, "-t");
    expect_words(w, 1, "attach-url [-i] [-t] CONTAINER-ID");
    req.set_container_id(w[0]);
    req.set_stdin(in);
    req.set_tty(tty);
    req.set_stdout(true);
    req.set_stderr(!tty);
    std::printf("%s\n", call(c, *c.runtime, &RuntimeService::Stub::Attach, "Attach", req).url().c_str());
    return 0;
}

}  // namespace mogu::cri
