# Starling: the two set-up commands are `make demo` and `make test`.
SWIFT ?= swift
DEBIAN_PACKAGES := libopenblas-dev libsodium-dev libsqlite3-dev zlib1g-dev libzmq3-dev pkg-config dataset-fashion-mnist
PYTHON_ENV := .build/python
STARLING := .build/release/starling
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps python-deps build test demo demo-sim demo-local bench lint fuzz fuzz-coverage fuzz-seeds experiments flood-bench clean

## deps: install the Debian packages Starling needs (only those missing).
deps:
	@missing=""; for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## python-deps: numpy + safetensors (the checkpoint interoperability test) and pyzmq + pynacl (the
## Python status client of InteropTests) in a private venv.
python-deps: $(PYTHON_ENV)/.ready
# Also after the Makefile changes, so that a venv made before a package was added gets it.
$(PYTHON_ENV)/.ready: Makefile
	python3 -m venv $(PYTHON_ENV)
	$(PYTHON_ENV)/bin/pip install -q numpy safetensors pyzmq pynacl
	touch $@

## build: release build of the `starling` binary.
build: deps
	$(SWIFT) build -c release --product starling

## test: the whole test suite (lint included).
test: deps python-deps lint
	STARLING_PYTHON=$(CURDIR)/$(PYTHON_ENV)/bin/python $(SWIFT) test --parallel

## demo: 8 real `starling node` processes on 127.0.0.1 train cnn-small on Fashion-MNIST with no
## fixed server; half-way the coordinator is killed with SIGKILL, the council elects another, the
## killed peer restarts from its store, and training goes on to the end.
demo: build
	$(STARLING) cluster --config Examples/cluster.json --dir .build/demo --kill-coordinator-at 7

## demo-sim: the same project in the deterministic simulator (8 simulated peers, one process).
demo-sim: build
	$(STARLING) simulate --config Examples/simulation.json --crash-coordinator-at 45

## demo-local: train cnn-small on this machine alone (the PyTorch reference recipe).
demo-local: build
	$(STARLING) train --config Examples/demo.json

## bench: Starling's side of the benchmarks (see BENCHMARKS.md for the peer scripts).
bench: build
	Benchmarks/run.sh

## experiments: the long runs behind BENCHMARKS.md (10,000-seed fault sweeps, failover over 1,000
## seeds, the robustness grids and the backdoor runs of issue 4).
experiments: build
	$(STARLING) cluster --config Examples/cluster-kills.json --peers 5 --dir .build/kill-trials --random-kills 100 --restart-after 0.5 --timeout 3600 --quiet --json
	$(STARLING) simulate --sweep 10000 --json
	$(STARLING) simulate --sweep 10000 --membership --json
	$(STARLING) simulate --sweep 1000 --failover --json
	$(STARLING) experiment --config Examples/robustness.json --out Benchmarks/results/robustness-mlp --json
	$(STARLING) experiment --config Examples/robustness-cnn.json --out Benchmarks/results/robustness-cnn --json
	$(STARLING) experiment --config Examples/backdoor.json --out Benchmarks/results/backdoor --json

## flood-bench: honest rounds of 8 real nodes with and without 1,000 connection attempts a second
## and 200 Sybils (BENCHMARKS.md, issue 12).
flood-bench: build
	STARLING=$(STARLING) Benchmarks/flood.sh

## fuzz: libFuzzer on the decoders of untrusted bytes (protocol messages, node frames, the
## transport's hello and chunk headers), FUZZ_SECONDS per target (FUZZ_TARGETS="hello" for one).
## A finding fails, its input left in .build/fuzz/findings/ (docs/fuzzing.md). libFuzzer and the
## sanitizers ship with the Swift toolchain; nothing else to install.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh $(FUZZ_TARGETS)

## fuzz-coverage: line coverage (llvm-cov) of the decoders by the committed seeds plus what
## earlier `make fuzz` runs found (.build/fuzz/corpus/).
fuzz-coverage: deps
	Fuzz/run.sh --coverage $(FUZZ_TARGETS)

## fuzz-seeds: rewrite the committed seed corpus (Fuzz/corpus/) from the encoders.
fuzz-seeds: deps
	Fuzz/run.sh --write-seeds

## lint: swift format, strict.
lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build
