// libcurl, loaded with dlopen the first time a webhook needs it. A monitor without a webhook never
// maps libcurl and the dozen libraries it pulls in (Kerberos, LDAP, SSH, OpenSSL through libssh2:
// about 3 MB resident on Debian 12), which is most of the monitor's resident size otherwise.
// The functions are libcurl's own, called exactly as when linked; the header gives their types.
#pragma once

#include <curl/curl.h>

namespace mogu::monitor {

struct CurlLibrary {
    decltype(&::curl_global_init) global_init;
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;

    // Loads libcurl (Debian's GnuTLS build, libcurl3-gnutls, else any libcurl.so.4) once per
    // process and calls curl_global_init; kept loaded until exit. Throws Error naming the
    // libraries tried and what the dynamic loader said.
    static const CurlLibrary& get();
};

}  // namespace mogu::monitor
