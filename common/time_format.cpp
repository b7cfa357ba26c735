#include "common/time_format.h"

#include <fmt/core.h>

#include <chrono>

namespace mogu {

// The calendar comes from <chrono>'s date arithmetic (UTC, no time zone), not gmtime_r: in a
// static binary gmtime_r brings glibc's time zone code and with it sscanf and its float parsers,
// ~80 kB of every shim's text.
std::string rfc3339_nano(const struct timespec& ts) {
    using namespace std::chrono;
    sys_seconds t{seconds(ts.tv_sec)};
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss hms{t - day};
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()), unsigned(ymd.month()),
                                  unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(), hms.seconds().count());
    if (ts.tv_nsec) {
        std::string f = fmt::format(".{:09}", ts.tv_nsec);
        while (f.back() == '0') f.pop_back();
        out += f;
    }
    return out + "Z";
}

std::string rfc3339_nano_now() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return rfc3339_nano(ts);
}

}  // namespace mogu
