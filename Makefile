# TestZone: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing first (`make setup`, see Tools/setup.sh).

SWIFT      ?= swift
CONFIG     ?= release
BIN         = .build/$(CONFIG)/testzone
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 600
FUZZ_TARGET  ?=

.PHONY: all setup build run test bench fuzz format lint clean postgres-start postgres-stop

all: build

## setup: install missing system packages (apt) and the Python tools venv
setup:
	@Tools/setup.sh

## build: release build of the `testzone` tool
build: setup
	$(SWIFT) build -c $(CONFIG) -j $(JOBS) --product testzone

## run: build, then run the main job on the bundled sample
run: build
	@Tools/run-demo.sh $(BIN)

## test: build (debug: the tests and the `testzone` binary they run) and run the whole test suite,
## with a scratch PostgreSQL on loopback for the tests that need one (Tools/postgres/with-postgres.sh
## starts it once the build is done and stops it at the end). No release build here: the tests run
## .build/debug/testzone, and a release build from scratch costs 27 minutes on 2 cores.
test: setup
	$(SWIFT) build --build-tests -j $(JOBS)
	Tools/postgres/with-postgres.sh $(SWIFT) test -j $(JOBS) --skip-build

## postgres-start / postgres-stop: a scratch PostgreSQL server on loopback (URL on stdout)
postgres-start:
	@Tools/postgres/start.sh
postgres-stop:
	@Tools/postgres/stop.sh

## bench: run the benchmarks (Benchmarks/ package) with their reference programs
bench: setup
	@Tools/bench/run-all.sh

## fuzz: build the libFuzzer targets (Fuzz/) and run each for FUZZ_SECONDS (or only FUZZ_TARGET)
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) Tools/fuzz.sh $(FUZZ_TARGET)

## format: format the sources in place with swift-format (config: .swift-format)
format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Tools Benchmarks

## lint: check formatting without changing files
lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build out
