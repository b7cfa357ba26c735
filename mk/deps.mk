# make deps: install the Debian packages every part declared in DEB_PACKAGES.
# Idempotent and quiet when everything is present; non-interactive otherwise.
DEB_PACKAGES += build-essential pkg-config g++ make libfmt-dev libcriterion-dev bats busybox-static

# Parts add what they build from source as further prerequisites of deps (runtime/: criu),
# each depending on deps-packages.
.PHONY: deps-packages
deps: deps-packages
deps-packages:
	@tests/lib/install-deps $(sort $(DEB_PACKAGES))
