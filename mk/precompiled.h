// The standard and {fmt} headers most of our sources include, precompiled once for the
// sanitizer tree ($(BUILD)/pch, mk/rules.mk) and included ahead of each of its C++ sources with
// -include: parsing them was about a quarter of an object's compile time under clang. (Not in
// the g++ trees: the Makefile says why.) Only headers that never change with our code belong
// here; our own headers would make every edit to them a rebuild of the whole tree. No include
// guard: it is only ever the compiler's main file (there) or an -include.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include <fmt/core.h>
