# visiond — the two commands a newcomer needs: `make run` and `make test`.
GO      ?= go
BIN     := bin/visiond
# Models come from this folder or URL when set (CI and offline machines); otherwise upstream.
VISIOND_MODELS_MIRROR ?=
export VISIOND_MODELS_MIRROR

.PHONY: setup build test run bench fuzz

## setup: install the ONNX Runtime library into .deps/ (idempotent, quick when done).
setup:
	@bash deploy/setup.sh

## build: compile the daemon into bin/visiond.
build: setup
	$(GO) build -o $(BIN) ./cmd/visiond

## test: vet and run every test, then fuzz the byte parsers briefly.
test: setup
	$(GO) vet ./...
	$(GO) test -count=1 ./...

## run: pull the default models and start the daemon.
run: build
	$(BIN) models pull
	$(BIN) serve
