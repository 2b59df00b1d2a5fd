# The entry points the README names. Each installs what it needs first (as root).
.PHONY: deps build demo test test-dev test-asan test-tsan bench fuzz obfuscate clean format install deb

JOBS ?= $(shell nproc)
SAMPLE := samples/office.pcap
PREFIX ?= /usr/local
# What `make install` installs (cmake/Install.cmake).
INSTALLED := packet-analysis packet-analysis-generate packet-analysis-obfuscate

deps:
	scripts/install-deps

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

# Only the program: a fresh machine shows the report without building tests and benchmarks.
demo: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev --target packet-analysis -j $(JOBS)
	build/packet-analysis -p 0 -f $(SAMPLE)

test: test-dev test-asan test-tsan

test-dev: build
	ctest --preset dev -j $(JOBS)

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j $(JOBS)

# The threaded code (-j N: its queue, readers and stage) under ThreadSanitizer: only the tests
# that run it, which keeps the third build small.
test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan --target parallel_determinism_tests packet-analysis-generate -j $(JOBS)
	ctest --preset tsan -j $(JOBS) -R '^(ParallelDeterminism|RealCorpus/ParallelDeterminism|ReassemblyQueue|ChunkPool|NameFolder)'

# The programs, man pages, completions and docs under $(PREFIX) (and $(DESTDIR) if given).
install: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev --target $(INSTALLED) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install build --prefix $(PREFIX)

# packet-analysis_VERSION_ARCH.deb here (or in DEB_DIR=dir), built with debhelper.
deb: deps
	JOBS=$(JOBS) scripts/build-deb $(or $(DEB_DIR),.)

bench: deps
	bench/run

fuzz: deps
	fuzz/run

# An obfuscated copy of src/ in a new DDMMYYYY_HHMMSS folder here (or in OUT=dir).
obfuscate: build
	cmake --build --preset dev --target packet-analysis-obfuscate -j $(JOBS)
	build/tools/obfuscate/packet-analysis-obfuscate --out $(or $(OUT),.)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build build-release build-asan build-tsan build-fuzz build-deb
