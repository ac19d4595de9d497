# Two commands: `make run` and `make test`. Everything else is internal.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_PASSWORD ?=
WORKERS ?= 2

.PHONY: run test venv migrate demo worker clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m certificates.fonts  # converts the bundled CJK font to TrueType once (var/fonts/)
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo $(if $(DEMO_PASSWORD),--password $(DEMO_PASSWORD),)

# Starts a Celery worker (with the embedded beat that runs the certificate
# outbox relay) in the background and the web server in the foreground;
# Ctrl-C stops both.
run: demo
	@echo ""
	@echo "  Compost LIMS: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "  Database: $${DATABASE_URL:-SQLite $${LIMS_VAR_DIR:-var}/db.sqlite3}   Broker: $${CELERY_BROKER_URL:-filesystem ($${LIMS_BROKER_DIR:-$${LIMS_VAR_DIR:-var}/broker})}"
	@echo "  Media (PDFs, photos): $${LIMS_MEDIA_ROOT:-$${LIMS_VAR_DIR:-var}/media}   Certificates' QR links: $${LIMS_PUBLIC_URL:-http://127.0.0.1:8000}"
	@case "$(HOST)" in 127.*|localhost|::1) ;; *) [ -n "$${LIMS_PUBLIC_URL}" ] || echo "  WARNING: HOST=$(HOST) but LIMS_PUBLIC_URL is unset: QR codes on certificates point at 127.0.0.1; set LIMS_PUBLIC_URL=http://<this machine's address>:$(PORT)";; esac
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	mkdir -p "$${LIMS_VAR_DIR:-var}"; \
	$(BIN)/celery -A lims worker -B -s "$${LIMS_VAR_DIR:-var}/celerybeat-schedule" --loglevel=INFO --concurrency=$(WORKERS) -n lims-worker@%h & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var/test .pytest_cache
