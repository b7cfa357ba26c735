# soak/: make soak, the long reliability runs (not part of make test): density against the runc
# shim, lifecycle soaks that fail when anything grows, and a chart of their curves.
DEB_PACKAGES += gnuplot-nox jq curl runc

.PHONY: soak
soak: deps
	$(MAKE) -j$(JOBS) all fixtures
	BUILD=$(BUILD) soak/run
