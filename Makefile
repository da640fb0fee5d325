# rehearse — build, test and demo. `make test` is what CI runs.
GO ?= go
TERRAFORM_VERSION := 1.5.7
BIN := $(CURDIR)/bin

# testcontainers-go on a machine without the reaper image and inside a
# container (see README, "Prerequisites").
export TESTCONTAINERS_RYUK_DISABLED ?= true
export TESTCONTAINERS_HOST_OVERRIDE ?= localhost

.PHONY: build tools test demo bench clean

build:
	$(GO) build -o $(BIN)/rehearse ./cmd/rehearse

# terraform from the Go module proxy, into ./bin; skipped when the right
# version is already there.
tools:
	@if $(BIN)/terraform version 2>/dev/null | head -n1 | grep -qx 'Terraform v$(TERRAFORM_VERSION)'; then \
		echo "terraform v$(TERRAFORM_VERSION) already in $(BIN)"; \
	else \
		echo "installing terraform v$(TERRAFORM_VERSION) into $(BIN)"; \
		GOBIN=$(BIN) $(GO) install github.com/hashicorp/terraform@v$(TERRAFORM_VERSION); \
	fi

test: tools
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# The main job on the bundled example plans: no Docker, no cloud account.
# A plan rehearse cannot judge (exit 2) fails the demo; block (1) is a result.
demo: build
	@for p in examples/plans/*.json; do \
		echo "\$$ rehearse plan $$p"; \
		$(BIN)/rehearse plan $$p; rc=$$?; \
		echo "(exit $$rc)"; echo; \
		[ $$rc -le 1 ] || exit $$rc; \
	done

bench: build
	bench/run.sh

clean:
	rm -rf $(BIN)
