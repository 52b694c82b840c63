# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# CPython 3.13 (the Lambda runtime) where it exists, from PATH or pyenv; otherwise python3.
PY313_DIR := $(shell for p in "$$(command -v python3.13 2>/dev/null)" $(HOME)/.pyenv/versions/3.13*/bin/python3.13; do \
	[ -n "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && dirname "$$p" && break; done)
BOOT_PYTHON := $(if $(PY313_DIR),$(PY313_DIR)/python3.13,python3)
STAMP := $(VENV)/.installed
# checkov lives in a venv of its own: its pinned dependencies (boto3 among them) clash with ours.
SCAN_VENV ?= $(VENV)/checkov
SCAN_STAMP := $(SCAN_VENV)/.installed

AWS_PORT ?= 5000
PORT ?= 3000
TENANT ?= acme
export AWS_PORT PORT

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/shared/requirements.txt
	@[ -x $(PY) ] || { echo "creating $(VENV) with $(BOOT_PYTHON)"; $(BOOT_PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

$(SCAN_STAMP): requirements-scan.txt
	@[ -x $(SCAN_VENV)/bin/python ] || { echo "creating $(SCAN_VENV) with $(BOOT_PYTHON)"; $(BOOT_PYTHON) -m venv $(SCAN_VENV); }
	@$(SCAN_VENV)/bin/python -m pip install -q --upgrade pip >/dev/null
	@$(SCAN_VENV)/bin/python -m pip install -q -r requirements-scan.txt
	@touch $@

venv: $(STAMP) ## create the virtualenv and install everything

run: $(STAMP) web ## start the whole product locally (moto, API, workers)
	@$(PY) -m local

test: $(STAMP) lint validate scan build-check web web-test browser ## lint, template validation, the IaC scan, sam build and every test
	@$(PY) -m pytest -n 2 --dist loadfile -q

lint: $(STAMP) ## ruff
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

validate: $(STAMP) ## sam validate --lint and cfn-lint on template.yaml (and cfn-lint on the subscriber example)
	@$(VENV)/bin/cfn-lint template.yaml examples/subscriber/template.yaml
	@SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --region us-east-1 >/dev/null

scan: $(SCAN_STAMP) ## checkov over template.yaml (CloudFormation and SAM checks); any failed check fails
	@$(SCAN_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download --compact --quiet

build: $(STAMP) ## sam build (needs python3.13 for the Lambda runtime)
	@[ -n "$(PY313_DIR)" ] || { echo "sam build needs CPython 3.13 (pyenv install 3.13); not found"; exit 1; }
	@PATH="$(PY313_DIR):$$PATH" SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam build --config-env dev

build-check: $(STAMP) # sam build into a scratch folder where CPython 3.13 exists
	@if [ -n "$(PY313_DIR)" ]; then \
		d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
		PATH="$(PY313_DIR):$$PATH" SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam build --build-dir "$$d/build" --cache-dir "$$d/cache" \
			--no-cached --parallel >"$$d/log" 2>&1 || { cat "$$d/log"; exit 1; }; echo "sam build: ok"; \
	else echo "sam build: skipped (no CPython 3.13 here; the Lambda runtime needs it)"; fi

WEB_STAMP := web/dist/.built
web: $(WEB_STAMP) ## build the lender's console and the hosted financing page into web/dist (npm ci, vite)

$(WEB_STAMP): web/package.json web/package-lock.json web/vite.config.js $(shell find web/src -type f 2>/dev/null)
	@command -v npm >/dev/null || { echo "make web needs Node.js 20+ and npm"; exit 1; }
	@cd web && npm ci --no-audit --no-fund --loglevel=error && npx vite build --logLevel warn
	@touch $@

web-test: $(WEB_STAMP) ## the pages' own tests (money formatting, error words): node --test, no package needed
	@cd web && node --test --test-reporter=dot

web-publish: $(STAMP) web ## publish the built pages to a deployed stack: STACK=invoice-financing-dev
	@$(PY) -m local.publish_web "$(STACK)"

browser: ## the browser tests' Chromium and its driver, from the machine's packages when missing
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

screenshots: $(STAMP) web browser ## regenerate docs/screenshots (the console and the hosted page, in Chromium)
	@SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q -p no:cacheprovider tests/browser/test_screenshots.py

token: $(STAMP) ## print a development token: TENANT=acme SCOPES="invoices:read" CONSENT_ID=... CERT=client.pem
	@PYTHONPATH=layers/shared $(PY) -m local.token --tenant "$(TENANT)" $(if $(SCOPES),--scopes "$(SCOPES)") $(if $(CONSENT_ID),--consent-id "$(CONSENT_ID)") $(if $(CERT),--certificate "$(CERT)")

invoke: $(STAMP) ## run one function on one event: FN=GetCompanyFunction EVENT=events/get_company.json
	@$(PY) -m local.invoke "$(FN)" "$(EVENT)"

schedule: $(STAMP) ## run a scheduled rule now on the running stack: RULE=OutboxSweeperFunction
	@$(PY) -m local.schedule "$(RULE)"

redrive: $(STAMP) ## move a DLQ's messages back to its source queue: QUEUE=<logical id of the DLQ>
	@$(PY) -m local.redrive "$(QUEUE)"

replay: $(STAMP) ## replay the bus archive's events of a window to its rules on the running stack: FROM=<iso time> TO=<iso time> [RULE=...]
	@[ -n "$(FROM)" ] && [ -n "$(TO)" ] || { echo "usage: make replay FROM=2026-12-06T07:00:00Z TO=2026-12-06T08:00:00Z [RULE=<rule>]"; exit 2; }
	@$(PY) -m local.replay --from "$(FROM)" --to "$(TO)" $(if $(RULE),--rule "$(RULE)")

migrate-webhook-secrets: $(STAMP) ## one-off: seal webhook secrets stored in plaintext (TABLE=<deployed table> KEY=<WebhookSecretsKeyArn>)
	@PYTHONPATH=layers/shared $(PY) -m local.migrate_webhook_secrets $(if $(TABLE),--table "$(TABLE)") $(if $(KEY),--key "$(KEY)")

openapi: $(STAMP) events-docs ## regenerate docs/openapi.json from the handlers (and the event documents)
	@$(PY) -m local.openapi --write docs/openapi.json

events: $(STAMP) ## regenerate events/ (one sample event per function) from template.yaml and the handlers
	@$(PY) -m local.sample_events
events-docs: $(STAMP) ## regenerate docs/events/*.json, docs/asyncapi.json and template.yaml's schema registry from the event models
	@PYTHONPATH=layers/shared $(PY) -m local.event_docs

FUZZ_MAX_EXAMPLES ?= 200
FUZZ_PHASES ?= examples,coverage,fuzzing,stateful
FUZZ_SEED ?= random
FUZZ_MAX_STEPS ?= 25
FUZZ_LIFECYCLE_SCENARIOS ?= 100
fuzz: $(STAMP) ## long contract fuzzing of docs/openapi.json on a fresh local stack (FUZZ_MAX_EXAMPLES=200), then the lifecycle pass
	@FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) FUZZ_PHASES=$(FUZZ_PHASES) FUZZ_SEED=$(FUZZ_SEED) FUZZ_MAX_STEPS=$(FUZZ_MAX_STEPS) \
		FUZZ_LIFECYCLE_SCENARIOS=$(FUZZ_LIFECYCLE_SCENARIOS) \
		$(PY) -m pytest -q -s -p no:cacheprovider tests/e2e/test_contract_fuzzing.py -k "every_operation or lifecycle"

bench: $(STAMP) ## benchmarks: cold start, warm overhead, AWS calls per request (BENCH_PARTS=lifecycle,... for some)
	@$(PY) -m bench

clean: ## remove the virtualenv and build output
	rm -rf $(VENV) .aws-sam .pytest_cache .ruff_cache web/dist web/node_modules

.PHONY: help venv web web-test web-publish browser screenshots run test lint validate scan build build-check token invoke schedule redrive replay openapi events events-docs fuzz bench clean
