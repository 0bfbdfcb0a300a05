# visiond — the two commands a newcomer needs: `make run` and `make test`.
GO       ?= go
BIN      := bin/visiond
CAPTURE  := bin/visiond-capture
# The release version, stamped into the binary; the Node-RED package (deploy/node-red) carries the same.
VERSION  := $(shell cat VERSION)
FUZZTIME ?= 15s
# Models come from this folder or URL when set (CI and offline machines); otherwise upstream.
VISIOND_MODELS_MIRROR ?=
export VISIOND_MODELS_MIRROR

# Photos of `make example` (the shared folder beside the checkout, as in the tests).
VISIOND_TESTDATA ?= ../shared
EXAMPLES := $(VISIOND_TESTDATA)/images

.PHONY: setup build test test-node-red node-red-picture node-red-bench test-deploy fuzz bench run loadtest soak example golden screenshots dist test-dist test-arm64 image test-image

## setup: install the ONNX Runtime library into .deps/ (idempotent, quick when done).
setup:
	@bash deploy/setup.sh

## build: compile visiond into bin/visiond, and the camera capture helper into
## bin/visiond-capture where OpenCV is installed (apt-get install libopencv-dev).
build: setup
	$(GO) build -ldflags "-X github.com/visiond/visiond/internal/version.Version=$(VERSION)" -o $(BIN) ./cmd/visiond
	@if pkg-config --exists opencv4 2>/dev/null; then \
		echo "$(GO) build -tags opencv -o $(CAPTURE) ./cmd/visiond-capture"; \
		$(GO) build -tags opencv -o $(CAPTURE) ./cmd/visiond-capture; \
	else echo "visiond: OpenCV is not installed, so no camera helper (cameras: apt-get install libopencv-dev)"; fi

## test: vet, run every test, then fuzz the byte parsers briefly.
test: setup
	$(GO) vet ./...
	@if pkg-config --exists opencv4 2>/dev/null; then \
		echo "$(GO) vet -tags opencv ./cmd/visiond-capture ./transport/camera/capture"; \
		$(GO) vet -tags opencv ./cmd/visiond-capture ./transport/camera/capture; fi
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory test-node-red
	$(MAKE) --no-print-directory fuzz

## test-node-red: the Node-RED package (deploy/node-red) in real Node-RED against a real visiond.
test-node-red: build
	bash deploy/node-red/test/run.sh test

## node-red-picture: the Node-RED editor with the example flow after a run, into var/node-red/.
node-red-picture: build
	bash deploy/node-red/test/run.sh picture var/node-red/flow.png

## node-red-bench: the nodes' round trip: cocossd per annotated format, and what HTTP and Node-RED add.
node-red-bench: build
	bash deploy/node-red/test/run.sh bench $(ROUNDS)

## test-deploy: lint and render the Helm chart, decode every object strictly against the
## Kubernetes types, and run visiond (and Mosquitto) as the chart and deploy/compose.yaml
## configure them (deploy/check, a module of its own; the first run builds helm, see README).
test-deploy: build
	helm="$$(bash deploy/check/helm.sh)" && cd deploy/check && \
		$(GO) vet ./... && VISIOND_HELM="$$helm" VISIOND_TESTDATA="$(abspath $(VISIOND_TESTDATA))" \
		$(GO) test -count=1 ./...

## fuzz: run each fuzz target for FUZZTIME (deploy/fuzz.sh: Go 1.26's deadline error is no failure).
FUZZ_TARGETS := inference/tflite:FuzzParse inference/flexbuf:FuzzRoot inference/convert:FuzzConvert \
	models/catalog:FuzzParseCard models:FuzzLabelFiles models/preprocess:FuzzDecode \
	models/preprocess/turbo:FuzzDecodeScaled models/preprocess/bilinear:FuzzResize \
	transport/httpapi:FuzzParseBody transport/mqtt:FuzzParsePayload transport/camera/wire:FuzzRead
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} $${t##*:} for $(FUZZTIME)"; \
		GO=$(GO) bash deploy/fuzz.sh $${t%%:*} $${t##*:} $(FUZZTIME) || exit 1; \
	done

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
	$(BIN) models pull coco-ssd posenet
	$(GO) run ./cmd/loadgen $(ARGS)

## soak: start the daemon and send it 3,000 requests from 8 clients, every fifth malformed or
## hostile, then 1,000 good ones; fails on a 5xx other than 503/504, a crash, or growth
## (about two minutes; README, "Security"). Installs jpegtran (libjpeg-turbo-progs) if missing.
soak: build
	@command -v jpegtran >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjpeg-turbo-progs; }
	$(BIN) models pull coco-ssd posenet
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

## golden: rewrite testdata/golden from the models' current answers (look at the diff first).
golden: setup
	VISIOND_UPDATE_GOLDEN=1 $(GO) test ./pipeline -run '^TestGolden$$' -count=1

## screenshots: the web page at desktop and phone width, light and dark, refused files, hand
## landmarks and the camera in live mode, into var/screenshots/ (the README shows them; not
## committed, as they show the shared photos). Needs chromium (apt-get install chromium); ~40 s.
screenshots: setup
	VISIOND_SCREENSHOTS=$(CURDIR)/var/screenshots VISIOND_REQUIRE_TESTDATA=1 \
		$(GO) test -count=1 -run '^(TestLayouts|TestBadFiles|TestLiveCamera|TestStillImages)$$' ./transport/httpapi/web
	@echo "visiond: screenshots in var/screenshots/"

## dist: release tarballs for amd64 and arm64 (cgo cross build) with SHA256SUMS, in dist/;
## VERSION=1.2.0 names them (default: the VERSION file). DIST_ARCHES picks the architectures.
export VERSION
DIST_ARCHES ?= amd64 arm64
dist:
	bash deploy/dist.sh $(DIST_ARCHES)

## test-dist: build the tarballs and check them: contents, checksums, SBOM, the stamped
## version, the library found beside the binary, and install.sh into a scratch root.
test-dist: dist
	$(GO) test -count=1 -tags release -run 'TestDist' ./deploy/releasetest

## test-arm64: run the arm64 tarball under qemu-aarch64-static: detect on the airplane photo
## matches amd64, and serve answers /v1/detect (needs root for its private mount namespace).
test-arm64: dist
	bash deploy/apt-need.sh qemu-user-static util-linux libc6:arm64 libstdc++6:arm64 libturbojpeg0:arm64
	$(GO) test -count=1 -timeout 40m -tags release -run 'TestArm64' -v ./deploy/releasetest

## image: the multi-arch container image visiond:VERSION (amd64 + arm64) from Debian bookworm
## packages and the release tarballs, offline (mmdebstrap + buildah); run it again to pick up
## the newest Debian security updates.
image: dist
	bash deploy/apt-need.sh mmdebstrap buildah podman runc
	bash deploy/image/build.sh $(VERSION)

## test-image: run the images under podman (arm64 through qemu): models pulled from a mirror
## mounted into the container, /v1/detect, health check, SBOM inside, clean stop.
test-image: image
	bash deploy/apt-need.sh qemu-user-static
	bash deploy/image/binfmt-arm64.sh
	$(GO) test -count=1 -timeout 40m -tags release -run 'TestImage' -v ./deploy/releasetest
