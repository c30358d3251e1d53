# Every target sets up .venv on first use: a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KASSI_DB ?= $(CURDIR)/var/kassi.db

.PHONY: run test test-deep lint format bench clean demo-db catalogs mutants lock postgres chromium compile

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo-db: $(STAMP)
	@mkdir -p $(dir $(KASSI_DB))
	@test -f $(KASSI_DB) || $(BIN)/kassi --db $(KASSI_DB) init --demo

run: demo-db compile
	$(BIN)/kassi --db $(KASSI_DB)

# The head-office tests start their own throwaway PostgreSQL (tests/pg_server.py, X-5):
# they need the server's binaries (initdb, pg_ctl), not a running server.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
	    || [ -x "$$KASSI_PG_BINDIR/initdb" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing the PostgreSQL server (Debian package postgresql) for the head-office tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    echo "Installing the PostgreSQL server (Debian package postgresql) for the head-office tests"; \
	    sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
	    echo "make test needs PostgreSQL's server binaries (initdb, pg_ctl) for the head-office tests:" >&2; \
	    echo "  Debian/Ubuntu: sudo apt-get install postgresql; Fedora: sudo dnf install postgresql-server;" >&2; \
	    echo "  macOS: brew install postgresql; or set KASSI_PG_BINDIR to the directory that has them" >&2; \
	    exit 1; \
	fi

# The browser tests (tests/e2e/test_browser_till.py, W-1..W-4) drive the system's Chromium
# through its chromedriver; browsers cannot be downloaded from here, so it is Debian's.
chromium:
	@if { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } \
	    && command -v chromedriver >/dev/null 2>&1; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium and its driver (Debian chromium, chromium-driver) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    echo "Installing Chromium and its driver (Debian chromium, chromium-driver) for the browser tests"; \
	    sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
	    echo "make test needs Chromium and chromedriver for the browser tests:" >&2; \
	    echo "  Debian/Ubuntu: sudo apt-get install chromium chromium-driver; Fedora: sudo dnf install chromium chromedriver" >&2; \
	    exit 1; \
	fi

# Bytecode made once, before the suite: where PYTHONDONTWRITEBYTECODE is set, each of
# the suite's ~1,000 `kassi` processes would otherwise compile all of kassi again.
compile: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 core tui hardware tests bench

test: $(STAMP) postgres chromium compile
	# 4 workers on 2 cores: many tests wait on printers' timeouts, tmux and subprocesses
	$(BIN)/python -m pytest -q -n 4 --dist loadgroup
	# The mutants' baseline tests just passed above, on this tree: collected, not rerun.
	$(BIN)/python -m tests.mutants --suite-passed

# The property tests at the depth they were written for (tests/depth.py): slower, for a
# change to a module's rules or before a release.
test-deep: $(STAMP) postgres chromium compile
	KASSI_TEST_DEPTH=deep $(BIN)/python -m pytest -q -n 4 --dist loadgroup
	$(BIN)/python -m tests.mutants

# Each mutation in tests/mutants/mutations.py, in a copy of the tree: none may survive.
mutants: $(STAMP)
	$(BIN)/python -m tests.mutants

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

catalogs: $(STAMP)
	$(BIN)/python -m tests.i18n.extract

bench: $(STAMP) postgres chromium compile
	$(BIN)/python -m bench

# Re-resolve the newest versions the pyproject ranges allow, in a scratch venv, and pin them.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .lock-venv

clean:
	rm -rf $(VENV) var build *.egg-info
