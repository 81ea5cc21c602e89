# Commissioner: `make run` starts the app, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-quick lint bench screenshots package translations clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Commissioner needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m app

test: $(STAMP)
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen PYTHONASYNCIODEBUG=$${PYTHONASYNCIODEBUG:-0} $(PY) -m pytest -q -p no:cacheprovider

# The same without the tests marked slow (the 60 s qasync soak); `make test` and CI run those too.
test-quick: $(STAMP)
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen PYTHONASYNCIODEBUG=$${PYTHONASYNCIODEBUG:-0} $(PY) -m pytest -q -p no:cacheprovider -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) benchmarks/csms_load.py

PKG_STAMP := $(VENV)/.installed-package

$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,package]'
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(VENV)/bin/pyinstaller packaging/commissioner.spec --noconfirm --clean --log-level WARN --distpath dist --workpath build
	@du -sh dist/Commissioner
	dist/Commissioner/commissioner-cli --self-test

# Every tr() string into the translators' template; compile each translation that exists.
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate app/ui/*.py app/gui.py -no-obsolete -locations none -ts resources/translations/commissioner.ts
	@for ts in resources/translations/commissioner_*.ts; do [ -e "$$ts" ] && $(VENV)/bin/pyside6-lrelease "$$ts"; done; true

clean:
	rm -rf $(VENV) build dist .pytest_cache

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m app.ui.screenshots
