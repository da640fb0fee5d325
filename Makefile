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

# The scenario library, re-run and checked: no cloud account needed. Without
# Docker the container scenarios are shown as skipped with the reason and
# the plan scenarios still run; the demo fails only on a regression (exit 1)
# or a scenario that could not run (exit 2).
demo: build
	$(BIN)/rehearse regress scenarios/library

bench: build
	bench/run.sh

clean:
	rm -rf $(BIN)
