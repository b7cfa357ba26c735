# monitor/: mogu-monitor, the node's watcher: discovers every container mogu runs (whatever
# started it), reads their cgroups through the runtime's state and cgroups libraries, and serves
# Prometheus's text format. Like mogu-vm it links the runtime library; it never runs mogu.
#   config        monitor.toml (toml++, header-only), errors with file, line and key
#   discovery     state roots and container labels
#   container_*   one container's figures as series; the collector over all of them
#   exposition    the text format
#   http_listener libevent's evhttp, one thread
#   history, status_*  15 minutes per container; the status page, /api/status, `status`
#   alert_rules   [[rules]] and [alerts]; alerts: the engine; alert_delivery: log + webhook (libcurl,
#                 a sender thread); oom_alert: ContainerOOMKilled; alerting: the loop's view of it
#
# This file is read before runtime/part.mk (alphabetical order), so it names the runtime's
# libraries by path; their rules exist by the time make builds.
DEB_PACKAGES += libtomlplusplus-dev libevent-dev prometheus
# The status page's test (headless Chromium) and bench/monitor.sh's reference (node-exporter).
DEB_PACKAGES += chromium chromium-driver prometheus-node-exporter
# Alerts: libcurl posts to the webhook; Alertmanager receives them in tests/integration/monitor_alerts.bats.
DEB_PACKAGES += libcurl4-gnutls-dev prometheus-alertmanager

MONITOR_SRCS     := $(sort $(wildcard monitor/*.cpp))
MONITOR_LIB      := $(BUILD)/lib/libmogu-monitor.a
MONITOR_DEP_LIBS := $(BUILD)/lib/libmogu-runtime.a $(BUILD)/lib/libmogu-cgroups.a $(COMMON_LIB)
# libevent's HTTP server (evhttp) is linked in, as are the C++ runtime and the small C libraries:
# only the pages used are resident then, about a megabyte less than libstdc++.so's
# (docs/benchmarks.md). libcurl is loaded only when a webhook is configured
# (monitor/curl_library.h), with the TLS library it brings.
MONITOR_LIBS     := -ldl -lpthread $(if $(SANITIZE),-levent_extra -levent_core -lseccomp -lcap -lyajl,-static-libstdc++ -static-libgcc -l:libevent_extra.a -l:libevent_core.a -l:libseccomp.a -l:libcap.a -l:libyajl_s.a)

$(MONITOR_LIB): $(call objs_of,$(filter-out monitor/main.cpp,$(MONITOR_SRCS)))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(eval $(call binary,mogu-monitor,monitor/main.cpp,$(MONITOR_LIB) $(MONITOR_DEP_LIBS),$(MONITOR_LIBS)))

ifneq ($(wildcard tests/unit/monitor/*.cpp),)
$(eval $(call unit_test,monitor,$(wildcard tests/unit/monitor/*.cpp),$(MONITOR_LIB) $(MONITOR_DEP_LIBS),$(MONITOR_LIBS)))
endif
