# Makefile — the two commands of the README, and the build through Meson.
# make / make build : build/foison      make run : demo site on :8080
# make check : every test (plain build and ASan+UBSan build)      make bench : speed vs nginx
.PHONY: all build build-asan deps run check bench format clean
comma := ,

FOISON := build/foison
LISTEN ?= 127.0.0.1:8080

all: build

# Meson lists the C files when it configures; a new file triggers a reconfigure.
define configure
	@test -f $(1)/build.ninja || meson setup $(1) $(2)
	@find src tests/unit tests/fuzz -name '*.c' | sort > $(1)/.sources.new
	@cmp -s $(1)/.sources.new $(1)/.sources || \
		{ meson setup --reconfigure $(1) >/dev/null && mv $(1)/.sources.new $(1)/.sources; }
endef

build:
	$(call configure,build,)
	ninja -C build

build-asan:
	$(call configure,build-asan,-Db_sanitize=address$(comma)undefined -Db_lundef=false -Dbuildtype=debug)
	ninja -C build-asan

deps:
	./scripts/bootstrap

demo.db: | build
	$(FOISON) demo demo.db

run: deps build demo.db
	$(FOISON) serve demo.db --listen $(LISTEN)

check: deps build build-asan
	./scripts/check

bench: deps build
	./bench/run.sh

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build build-asan
