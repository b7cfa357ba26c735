// The status board's pages on the monitor's listener: GET / (the HTML status page) and
// GET /api/status (the same as JSON), each made from a fresh snapshot when asked.
#pragma once

#include "monitor/http_listener.h"
#include "monitor/status.h"

namespace mogu::monitor {

HttpListener::Pages status_pages(const StatusBoard& board);

// Unix seconds now, for StatusBoard::update.
double unix_now();

}  // namespace mogu::monitor
