# Concierge: the doors into the house. `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_VENV  := .venv
RASA_VENV := .venv-rasa
APP_PY    := $(APP_VENV)/bin/python
RASA_PY   := $(RASA_VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
MODEL     := models/concierge.tar.gz
PIP_FLAGS := --quiet --disable-pip-version-check --no-deps
# Agents' corrections, exported by the CRM (ANNOTATIONS_EXPORT_PATH), join the training data.
CORRECTIONS := $(wildcard var/annotations/corrections.yml)
RASA_TRAINING_INPUTS := config.yml $(CORRECTIONS) $(shell find bot nlu_data -type f -not -path '*/__pycache__/*' 2>/dev/null)
# Each deployable installs only its runtime lock (docker/); .venv gets the app's runtime locks
# plus dev.lock, .venv-rasa gets rasa.lock plus rasa-dev.lock. Regenerate them with ops/locks.py.
APP_LOCKS  := requirements/crm.lock requirements/actions.lock requirements/telegram.lock requirements/dev.lock
RASA_LOCKS := requirements/rasa.lock requirements/rasa-dev.lock
# Unit tests only: no Rasa stack, no browser (those are marked e2e or live in these folders).
STACK_TEST_DIRS := tests/e2e tests/web tests/channels tests/security tests/reliability
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup run test test-fast test-app test-rasa train token lint format clean bench-import analytics bench-analytics bench-analytics-scale bench-nlu bench-load bench-faults bench-security bench-dialogue bench-kb

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed  ## build both environments (a no-op when they are current)

# Python 3.11: actions, CRM, analytics, channels, tests. The lock files are complete, so --no-deps.
$(APP_VENV)/.installed: $(APP_LOCKS)
	@test -x $(APP_PY) || "$$(ops/find_python.sh 3.11)" -m venv $(APP_VENV)
	$(APP_PY) -m pip install $(PIP_FLAGS) $(addprefix -r ,$(APP_LOCKS))
	@touch $@

# Python 3.10: Rasa 3.6.21 and the custom components in bot/.
$(RASA_VENV)/.installed: $(RASA_LOCKS)
	@test -x $(RASA_PY) || "$$(ops/find_python.sh 3.10)" -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install $(PIP_FLAGS) $(addprefix -r ,$(RASA_LOCKS))
	@touch $@

train: $(MODEL)  ## train the Rasa model if its data or configuration changed

# The order-number regex follows the shop's setting (ORDER_NUMBER_LENGTH / ORDER_NUMBER_PATTERN,
# protocol/order_numbers.py); the file is rewritten only when the setting changed it.
ORDER_NUMBER_REGEX := nlu_data/regex/order_number.yml
.PHONY: FORCE
$(ORDER_NUMBER_REGEX): FORCE | $(RASA_VENV)/.installed
	@$(RASA_PY) -m protocol.order_numbers --write

# Models and Rasa's cache hold training data: private to the user (umask 077). The CRM gets
# the intents and entities agents may annotate as an exported list, not by reading bot/domain.
$(MODEL): $(RASA_TRAINING_INPUTS) $(ORDER_NUMBER_REGEX) | $(RASA_VENV)/.installed
	umask 077 && $(RASA) train --config config.yml --domain bot/domain --data nlu_data $(CORRECTIONS) \
		--out models --fixed-model-name concierge
	$(APP_PY) -m ops.vocabulary
	@touch $@

run: setup $(MODEL)  ## set up what is missing, then run Rasa, actions, CRM and its job worker on localhost
	@umask 077 && $(APP_PY) -m ops.run

token: $(APP_VENV)/.installed  ## print a signed token for demo customer 1 (CUSTOMER=n for another)
	@$(APP_PY) -c 'from ops.run import ensure_env_file; ensure_env_file()'
	@$(APP_PY) -m crm_backend token --customer $(or $(CUSTOMER),1)

test: setup $(MODEL) test-app test-rasa  ## run the whole test suite

# On SQLite only: the PostgreSQL variants of the same tests run in `make test`.
test-fast: $(APP_VENV)/.installed  ## unit tests only (no Rasa stack, no browser, SQLite): under 2 minutes
	$(APP_PY) -m pytest tests -m "not e2e" -k "not postgresql" -q -p no:cacheprovider \
		--ignore=tests/bot --ignore=tests/protocol $(addprefix --ignore=,$(STACK_TEST_DIRS))

test-app: setup $(MODEL)
	$(APP_PY) -m pytest tests --ignore=tests/bot

test-rasa: setup $(MODEL)  # custom components and training data, then the test stories, in Rasa's environment
	$(RASA_PY) -m pytest tests/bot tests/protocol --confcutdir=tests/bot -p no:cacheprovider
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/stories --fail-on-prediction-errors

bench-nlu: $(RASA_VENV)/.installed  ## CLINC150 (ours vs DIET) and our assistant's test set: bench/results/nlu_*.json
	$(RASA_PY) -m bench.nlu.clinc150 --baseline-per-intent 15
	$(RASA_PY) -m bench.nlu.assistant

analytics: $(APP_VENV)/.installed  ## score customers, refresh recommendations, save models; conversation mood and topics
	$(APP_PY) -m crm_backend insights run
	$(APP_PY) -m crm_backend insights conversations --if-configured

bench-analytics: $(APP_VENV)/.installed  ## churn (Telco), recommenders, segmentation (Online Retail), 10M-row scale run
	$(APP_PY) -m bench.analytics.churn_telco
	$(APP_PY) -m bench.analytics.recommend_online_retail
	$(APP_PY) -m bench.analytics.segment_online_retail
	$(APP_PY) -m bench.analytics.predict_online_retail
	$(APP_PY) -m bench.analytics.scale

bench-kb: $(APP_VENV)/.installed  ## help-centre search: own question sets (tuned on validation, reported on test) and StackFAQ (bench/results/kb.json)
	nice -n 10 $(APP_PY) -m bench.kb.run --stackfaq-dense
	nice -n 10 $(APP_PY) -m bench.kb.scale

bench-analytics-scale: $(APP_VENV)/.installed  ## the analytics job on Dask: 1M-row equivalence, killed worker, 10M and 30M rows
	nice -n 15 $(APP_PY) -m bench.analytics.scale_distributed

bench-load: setup $(MODEL)  ## load benchmark vs a bare `rasa init` bot, with a profile (bench/results/latency.json)
	$(APP_PY) -m bench.load.run --profile

bench-security: setup $(MODEL)  ## every attack case by category, redaction on the blind PII sets (bench/results/security.json)
	$(APP_PY) -m bench.security.run

# The blind test split by default; dev.jsonl may be studied.
DIALOGUE_DATA ?= bench/data/dialogue/test.jsonl
bench-dialogue: setup $(MODEL)  ## scripted conversations through the full stack (bench/results/dialogue.json)
	$(APP_PY) -m bench.dialogue.run $(DIALOGUE_DATA)

bench-faults: setup $(MODEL)  ## kill and restart each process under 50 conversations (bench/results/faults.json)
	$(APP_PY) -m bench.faults.run

bench-import: $(APP_VENV)/.installed  ## import benchmark: Online Retail into SQLite and PostgreSQL, plus a 5M-row scaling run
	$(APP_PY) bench/import/run.py

lint:  ## ruff (lint and format check)
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .

format:
	$(APP_VENV)/bin/ruff format .

clean:  ## remove environments, models and local data
	rm -rf $(APP_VENV) $(RASA_VENV) models var .rasa .pytest_cache
