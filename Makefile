# The entry points the README names. Each installs what it needs first (as root).
.PHONY: deps build demo test test-dev test-asan bench fuzz obfuscate clean format

JOBS ?= $(shell nproc)
SAMPLE := samples/office.pcap

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

test: test-dev test-asan

test-dev: build
	ctest --preset dev -j $(JOBS)

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j $(JOBS)

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
	rm -rf build build-release build-asan build-fuzz
