# visiond — the two commands a newcomer needs: `make run` and `make test`.
GO       ?= go
BIN      := bin/visiond
FUZZTIME ?= 15s
# Models come from this folder or URL when set (CI and offline machines); otherwise upstream.
VISIOND_MODELS_MIRROR ?=
export VISIOND_MODELS_MIRROR

# Photos of `make example` (the shared folder beside the checkout, as in the tests).
VISIOND_TESTDATA ?= ../shared
EXAMPLES := $(VISIOND_TESTDATA)/images

.PHONY: setup build test fuzz bench run loadtest soak example

## setup: install the ONNX Runtime library into .deps/ (idempotent, quick when done).
setup:
	@bash deploy/setup.sh

## build: compile visiond into bin/visiond.
build: setup
	$(GO) build -o $(BIN) ./cmd/visiond

## test: vet, run every test, then fuzz the byte parsers briefly.
test: setup
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

## fuzz: run each fuzz target for FUZZTIME.
fuzz:
	$(GO) test ./inference/tflite -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./inference/flexbuf -run '^$$' -fuzz '^FuzzRoot$$' -fuzztime $(FUZZTIME)
	$(GO) test ./inference/convert -run '^$$' -fuzz '^FuzzConvert$$' -fuzztime $(FUZZTIME)
	$(GO) test ./models/preprocess -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./models/preprocess/turbo -run '^$$' -fuzz '^FuzzDecodeScaled$$' -fuzztime $(FUZZTIME)
	$(GO) test ./models/preprocess/bilinear -run '^$$' -fuzz '^FuzzResize$$' -fuzztime $(FUZZTIME)
	$(GO) test ./transport/httpapi -run '^$$' -fuzz '^FuzzParseBody$$' -fuzztime $(FUZZTIME)
	$(GO) test ./transport/mqtt -run '^$$' -fuzz '^FuzzParsePayload$$' -fuzztime $(FUZZTIME)

## bench: the speed figures quoted in the README.
bench: setup
	$(GO) test ./models -run '^$$' -bench . -benchtime 100x

## run: pull the default models, build visiond and start the daemon (visiond serve, on :8080
## unless visiond.yaml, VISIOND_ADDR or ARGS say otherwise; Ctrl-C stops it).
run: build
	$(BIN) models pull
	@echo "visiond: starting the daemon; the README shows a curl example for every endpoint"
	$(BIN) serve $(ARGS)

## loadtest: start the daemon and load it over HTTP (the figures quoted in the README).
loadtest: build
	$(BIN) models pull coco-ssd
	$(GO) run ./cmd/loadgen $(ARGS)

## soak: start the daemon and send it 3,000 requests from 8 clients, every fifth malformed or
## hostile, then 1,000 good ones; fails on a 5xx other than 503/504, a crash, or growth
## (about three minutes; README, "Security"). Installs jpegtran (libjpeg-turbo-progs) if missing.
soak: build
	@command -v jpegtran >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjpeg-turbo-progs; }
	$(BIN) models pull coco-ssd
	$(GO) run ./cmd/loadgen -soak $(ARGS)

## example: draw detections on four shared photos into var/examples/ (the pictures the README
## shows; not committed, as the photos belong to other projects).
example: build
	$(BIN) models pull coco-ssd
	mkdir -p var/examples
	$(BIN) detect --annotated var/examples $(EXAMPLES)/airplane_airport_1280.jpg \
		$(EXAMPLES)/street_coco_000000373353.jpg $(EXAMPLES)/beach_people_kites.jpg > /dev/null
	$(BIN) detect --min-score 0.4 --annotated var/examples/cats_and_dogs.annotated.jpg $(EXAMPLES)/cats_and_dogs.jpg > /dev/null
	@echo "visiond: annotated photos in var/examples/"
