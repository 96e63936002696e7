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
RASA_TRAINING_INPUTS := config.yml $(shell find bot nlu_data -type f -not -path '*/__pycache__/*' 2>/dev/null)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup run test test-app test-rasa train token lint format clean bench-import analytics bench-analytics bench-nlu bench-load bench-faults

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(APP_VENV)/.installed $(RASA_VENV)/.installed  ## build both environments (a no-op when they are current)

# Python 3.11: actions, CRM, analytics, channels, tests. The lock file is complete, so --no-deps.
$(APP_VENV)/.installed: requirements/app.lock
	@test -x $(APP_PY) || "$$(ops/find_python.sh 3.11)" -m venv $(APP_VENV)
	$(APP_PY) -m pip install $(PIP_FLAGS) -r requirements/app.lock
	@touch $@

# Python 3.10: Rasa 3.6.21 and the custom components in bot/.
$(RASA_VENV)/.installed: requirements/rasa.lock
	@test -x $(RASA_PY) || "$$(ops/find_python.sh 3.10)" -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install $(PIP_FLAGS) -r requirements/rasa.lock
	@touch $@

train: $(MODEL)  ## train the Rasa model if its data or configuration changed

$(MODEL): $(RASA_TRAINING_INPUTS) | $(RASA_VENV)/.installed
	$(RASA) train --config config.yml --domain bot/domain --data nlu_data --out models --fixed-model-name concierge
	@touch $@

run: setup $(MODEL)  ## set up what is missing, then run Rasa, actions and CRM on localhost
	$(APP_PY) -m ops.run

token: $(APP_VENV)/.installed  ## print a signed token for demo customer 1 (CUSTOMER=n for another)
	@$(APP_PY) -c 'from ops.run import ensure_env_file; ensure_env_file()'
	@$(APP_PY) -m crm_backend token --customer $(or $(CUSTOMER),1)

test: setup $(MODEL) test-app test-rasa  ## run the whole test suite

test-app: setup $(MODEL)
	$(APP_PY) -m pytest tests --ignore=tests/bot

test-rasa: setup $(MODEL)  # custom components and training data, then the test stories, in Rasa's environment
	$(RASA_PY) -m pytest tests/bot tests/protocol --confcutdir=tests/bot -p no:cacheprovider
	$(RASA) test core --stories tests/stories --model $(MODEL) --out results/stories --fail-on-prediction-errors

bench-nlu: $(RASA_VENV)/.installed  ## CLINC150 (ours vs DIET) and our assistant's test set: bench/results/nlu_*.json
	$(RASA_PY) -m bench.nlu.clinc150 --baseline-per-intent 15
	$(RASA_PY) -m bench.nlu.assistant

analytics: $(APP_VENV)/.installed  ## score customers, refresh recommendations, save models; conversation mood and topics
	$(APP_PY) -m crm_backend.insights run
	$(APP_PY) -m crm_backend.insights conversations --if-configured

bench-analytics: $(APP_VENV)/.installed  ## churn (Telco), recommenders, segmentation (Online Retail), 10M-row scale run
	$(APP_PY) -m bench.analytics.churn_telco
	$(APP_PY) -m bench.analytics.recommend_online_retail
	$(APP_PY) -m bench.analytics.segment_online_retail
	$(APP_PY) -m bench.analytics.predict_online_retail
	$(APP_PY) -m bench.analytics.scale

bench-load: setup $(MODEL)  ## load benchmark vs a bare `rasa init` bot, with a profile (bench/results/latency.json)
	$(APP_PY) -m bench.load.run --profile

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
