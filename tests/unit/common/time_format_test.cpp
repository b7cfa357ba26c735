// rfc3339_nano: Go's time.RFC3339Nano in UTC, checked against glibc's gmtime_r.
#include "common/time_format.h"

#include <criterion/criterion.h>

#include <ctime>
#include <random>
#include <string>

using namespace mogu;

namespace {

std::string format(time_t sec, long nsec) { return rfc3339_nano({sec, nsec}); }

void check(const std::string& got, const char* want) { cr_assert_str_eq(got.c_str(), want); }

}  // namespace

Test(time_format, known_instants) {
    check(format(0, 0), "1970-01-01T00:00:00Z");
    check(format(1795710571, 500000000), "2026-11-26T16:29:31.5Z");
    check(format(951782400, 7), "2000-02-29T00:00:00.000000007Z");  // a leap day
    check(format(4102444799, 999999999), "2099-12-31T23:59:59.999999999Z");
    check(format(1795710571, 123456000), "2026-11-26T16:29:31.123456Z");
}

Test(time_format, agrees_with_gmtime_over_two_centuries) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<time_t> when(0, 7258118399);  // to 2199-12-31
    for (int i = 0; i < 20000; i++) {
        time_t t = when(rng);
        struct tm tm;
        gmtime_r(&t, &tm);
        char want[64];
        strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string got = format(t, 0);
        cr_assert_str_eq(got.c_str(), want, "at %lld", (long long)t);
    }
}
