# Makefile — the two commands of the README, and the build through Meson.
# make / make build : build/foison      make run : demo site on :8080
# make check : every test (plain build and ASan+UBSan build)      make bench : speed vs nginx
.PHONY: all build deps run check unit http e2e data bench format clean

FOISON := build/foison
LISTEN ?= 127.0.0.1:8080

all: build

build: build/build.ninja
	ninja -C build

build/build.ninja:
	meson setup build

build-asan/build.ninja:
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

deps:
	./scripts/bootstrap

demo.db: | build
	$(FOISON) demo demo.db

run: deps build demo.db
	$(FOISON) serve demo.db --listen $(LISTEN)

check: deps build build-asan/build.ninja
	ninja -C build-asan
	./scripts/check

bench: deps build
	./bench/run.sh

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build build-asan
