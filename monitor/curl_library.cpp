#include "monitor/curl_library.h"

#include "common/error.h"

#include <dlfcn.h>

#include <string>

namespace mogu::monitor {
namespace {

constexpr const char* kSonames[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};

template <typename F>
void resolve(void* handle, const char* soname, const char* symbol, F& out) {
    void* p = ::dlsym(handle, symbol);
    if (!p) throw Error("{}: no symbol {}: {}", soname, symbol, ::dlerror());
    out = reinterpret_cast<F>(p);
}

CurlLibrary load() {
    std::string tried;
    for (const char* soname : kSonames) {
        void* h = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            tried += fmt::format("{}{}", tried.empty() ? "" : "; ", ::dlerror());
            continue;
        }
        CurlLibrary c{};
        resolve(h, soname, "curl_global_init", c.global_init);
        resolve(h, soname, "curl_easy_init", c.easy_init);
        resolve(h, soname, "curl_easy_setopt", c.easy_setopt);
        resolve(h, soname, "curl_easy_perform", c.easy_perform);
        resolve(h, soname, "curl_easy_getinfo", c.easy_getinfo);
        resolve(h, soname, "curl_easy_cleanup", c.easy_cleanup);
        resolve(h, soname, "curl_easy_strerror", c.easy_strerror);
        resolve(h, soname, "curl_slist_append", c.slist_append);
        resolve(h, soname, "curl_slist_free_all", c.slist_free_all);
        if (CURLcode rc = c.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
            throw Error("{}: curl_global_init: {}", soname, c.easy_strerror(rc));
        return c;
    }
    throw Error("the webhook needs libcurl, which cannot be loaded ({}); install Debian's libcurl3-gnutls", tried);
}

}  // namespace

const CurlLibrary& CurlLibrary::get() {
    static const CurlLibrary library = load();
    return library;
}

}  // namespace mogu::monitor
