// The status page at `/`: one self-contained HTML document (inline CSS, inline SVG sparklines
// drawn here, no script, no external resource), refreshed by the browser every interval.
// Every label value (container ids, pod names, images: user input) goes through html_escape.
#pragma once

#include "monitor/status.h"

#include <string>
#include <string_view>
#include <vector>

namespace mogu::monitor {

// & < > " ' as entities: safe in element text and in quoted attribute values.
std::string html_escape(std::string_view text);

// A sparkline: an SVG `width` x `height` with the values as a line over a light area, oldest at
// the left. `slots` points fill the width (fewer values sit at the right end, so the time axis
// is the same for every container); NaN values are gaps. The scale runs from 0 to the larger of
// the largest value and `floor_max` (a nearly idle series stays flat instead of filling the
// box). `title` becomes the SVG's <title> (a tooltip), escaped here.
std::string sparkline_svg(const std::vector<float>& values, size_t slots, double floor_max, int width, int height,
                          std::string_view title);

// "0 B", "512 B", "1.5 KiB", "64 MiB", "2.0 GiB".
std::string human_bytes(double bytes);

std::string render_status_page(const StatusSnapshot& s);

}  // namespace mogu::monitor
