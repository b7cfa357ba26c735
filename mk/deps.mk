# make deps: install the Debian packages every part declared in DEB_PACKAGES.
# Idempotent and quiet when everything is present; non-interactive otherwise.
DEB_PACKAGES += build-essential pkg-config g++ make libfmt-dev libcriterion-dev bats busybox-static

deps:
	@tests/lib/install-deps $(sort $(DEB_PACKAGES))
