#include "runtime/proc_info.h"

#include "common/files.h"
#include "common/strings.h"

#include <string>

namespace mogu::runtime {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    } catch (const std::exception&) {
        return std::nullopt;  // ESRCH while reading: it just exited
    }
    if (!text) return std::nullopt;
    // The command name (field 2) is in parentheses and may hold spaces or ')'; fields resume after the last ')'.
    auto close = text->rfind(')');
    if (close == std::string::npos || close + 2 >= text->size()) return std::nullopt;
    auto fields = split(std::string_view(*text).substr(close + 2), ' ');
    // fields[0] is field 3 (state); field N is fields[N-3].
    if (fields.size() < 20) return std::nullopt;
    ProcStat st;
    st.state = fields[0].empty() ? '?' : fields[0][0];
    st.ppid = static_cast<pid_t>(parse_int(fields[1]).value_or(0));
    st.start_time = parse_uint(fields[19]).value_or(0);
    return st;
}

bool process_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) return false;
    auto st = read_proc_stat(pid);
    if (!st || st->start_time != start_time) return false;
    return st->state != 'Z' && st->state != 'X';
}

}  // namespace mogu::runtime
