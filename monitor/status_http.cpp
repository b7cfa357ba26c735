#include "monitor/status_http.h"

#include "monitor/status_json.h"
#include "monitor/status_page.h"

#include <time.h>

namespace mogu::monitor {

HttpListener::Pages status_pages(const StatusBoard& board) {
    HttpListener::Pages pages;
    pages["/"] = {"text/html; charset=utf-8", [&board] { return std::make_shared<const std::string>(render_status_page(board.snapshot())); }};
    pages["/api/status"] = {"application/json", [&board] { return std::make_shared<const std::string>(status_json(board.snapshot())); }};
    return pages;
}

double unix_now() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace mogu::monitor
