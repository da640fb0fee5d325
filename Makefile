# rehearse — build, test and demo. `make test` is what CI runs.
GO ?= go
TERRAFORM_VERSION := 1.5.7
# actionlint lints the GitHub Actions templates in the tests (with shellcheck
# from apt, see .ci/run).
ACTIONLINT_VERSION := 1.7.12
BIN := $(CURDIR)/bin

# For testcontainers-go, which only internal/testimage's tests use (rehearse
# drives Docker through the moby client and reads neither): no reaper (Ryuk)
# image, since nothing can be pulled, and the host is localhost inside a
# container.
export TESTCONTAINERS_RYUK_DISABLED ?= true
export TESTCONTAINERS_HOST_OVERRIDE ?= localhost

.PHONY: build tools test demo bench clean dist dist-check image

# The version stamped into the binary (rehearse version, every report): git
# describe, or what the caller passes (a tarball without .git: make
# VERSION=v1.2.3). Without a stamp a binary says its module version (go
# install ...@v1.2.3) or "dev".
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILDINFO := github.com/rehearse-dev/rehearse/internal/buildinfo
# Static and reproducible: no cgo, no build paths (-trimpath), no VCS
# stamp of Go's own (the version is stamped here instead), and an empty
# build id, so the same source and toolchain give the same bytes.
GO_BUILD_FLAGS := -trimpath -buildvcs=false -ldflags '-s -w -buildid= -X $(BUILDINFO).version=$(VERSION) -X $(BUILDINFO).commit=$(COMMIT)'

build:
	CGO_ENABLED=0 $(GO) build $(GO_BUILD_FLAGS) -o $(BIN)/rehearse ./cmd/rehearse

# Release binaries for every platform, and their SHA256SUMS, in DIST_DIR.
DIST_DIR ?= $(CURDIR)/dist
DIST_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
dist:
	rm -rf '$(DIST_DIR)' && mkdir -p '$(DIST_DIR)'
	@set -e; for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		echo "rehearse $(VERSION) $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build $(GO_BUILD_FLAGS) -o '$(DIST_DIR)'/rehearse_$${os}_$${arch}$$ext ./cmd/rehearse; \
	done
	cd '$(DIST_DIR)' && sha256sum rehearse_* > SHA256SUMS

# Reproducibility: build DIST_PLATFORMS from a snapshot of the tree, and
# again from a second copy of it at another path with an empty build cache
# (nothing reused: every package compiled anew), with the same version
# stamp, and compare the bytes. The tests run it for linux/amd64 only
# (TestDistReproducible).
dist-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	tar -C '$(CURDIR)' --exclude=./.git --exclude=./bin --exclude=./dist -cf "$$tmp/src.tar" .; \
	mkdir "$$tmp/one" "$$tmp/another-path"; \
	tar -C "$$tmp/one" -xf "$$tmp/src.tar"; tar -C "$$tmp/another-path" -xf "$$tmp/src.tar"; \
	$(MAKE) -s -C "$$tmp/one" dist DIST_DIR="$$tmp/a" VERSION='$(VERSION)' COMMIT='$(COMMIT)'; \
	GOCACHE="$$tmp/cache" $(MAKE) -s -C "$$tmp/another-path" dist DIST_DIR="$$tmp/b" VERSION='$(VERSION)' COMMIT='$(COMMIT)'; \
	diff "$$tmp/a/SHA256SUMS" "$$tmp/b/SHA256SUMS"; \
	for f in "$$tmp"/a/rehearse_*; do cmp "$$f" "$$tmp/b/$${f##*/}"; done; \
	echo "reproducible:"; cat "$$tmp/a/SHA256SUMS"

# The rehearse image: FROM scratch, the static linux binary and the host's
# CA certificates (Debian's /etc/ssl/certs/ca-certificates.crt), built with
# the legacy builder, which needs no base image to pull.
IMAGE ?= rehearse:$(or $(VERSION),dev)
CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
IMAGE_LABELS ?=
image:
	@set -e; ctx=$$(mktemp -d); trap 'rm -rf "$$ctx"' EXIT; \
	$(MAKE) -s dist DIST_DIR="$$ctx" DIST_PLATFORMS=linux/$$($(GO) env GOARCH); \
	mv "$$ctx"/rehearse_linux_* "$$ctx/rehearse"; cp '$(CA_CERTS)' "$$ctx/ca-certificates.crt"; cp Dockerfile "$$ctx/"; \
	DOCKER_BUILDKIT=0 docker build -q --label org.opencontainers.image.version='$(VERSION)' $(foreach l,$(IMAGE_LABELS),--label '$(l)') -t '$(IMAGE)' "$$ctx"

# terraform and actionlint from the Go module proxy, into ./bin; each
# skipped when the right version is already there.
tools:
	@if $(BIN)/terraform version 2>/dev/null | head -n1 | grep -qx 'Terraform v$(TERRAFORM_VERSION)'; then \
		echo "terraform v$(TERRAFORM_VERSION) already in $(BIN)"; \
	else \
		echo "installing terraform v$(TERRAFORM_VERSION) into $(BIN)"; \
		GOBIN=$(BIN) $(GO) install github.com/hashicorp/terraform@v$(TERRAFORM_VERSION); \
	fi
	@if $(BIN)/actionlint -version 2>/dev/null | head -n1 | grep -qx 'v$(ACTIONLINT_VERSION)'; then :; else \
		echo "installing actionlint v$(ACTIONLINT_VERSION) into $(BIN)"; \
		GOBIN=$(BIN) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION); \
	fi

test: tools
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# The scenario library, re-run and checked: no cloud account needed. Without
# Docker the container scenarios are shown as skipped with the reason and
# the plan scenarios still run; the demo fails only on a regression (exit 1)
# or a scenario that could not run (exit 2).
demo: build
	$(BIN)/rehearse regress scenarios/library

bench: build
	bench/run.sh

# Rewrites cmd/rehearse/default.pgo, the profile go build optimizes the
# binary with (bench/pgo.sh; bench/README.md says what it gains).
.PHONY: pgo
pgo:
	bench/pgo.sh

# The PostgreSQL 15 image the tests and the library's database scenarios
# run, made without a registry (debootstrap, Debian's postgresql, docker
# import), built once and kept by tag: scripts/postgres-image.sh.
.PHONY: postgres-image
postgres-image:
	scripts/postgres-image.sh

clean:
	rm -rf $(BIN) $(CURDIR)/dist
