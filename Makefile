# The two set-up commands in the README are `make run` and `make test`; each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean ts qm bundle bundle-smoke

# The app's translations: ui/i18n/sealbid_zh_CN.ts is the committed source (English → Chinese);
# `make ts` refreshes it from the tr() strings in ui/ (then translate what is new), and the .qm
# the app loads is built from it here, never committed.
TS := ui/i18n/sealbid_zh_CN.ts
QM := ui/i18n/sealbid_zh_CN.qm

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(QM): $(TS) $(STAMP)
	$(BIN)/pyside6-lrelease -silent $(TS) -qm $(QM)

qm: $(QM)

ts: $(STAMP)
	$(BIN)/pyside6-lupdate ui/*.py -ts $(TS) -no-obsolete -locations none \
		-source-language en_US -target-language zh_CN

run: $(STAMP) $(QM)
	$(BIN)/sealbid $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy crypto sealbid server client reports ui

unit: $(STAMP) $(QM)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck unit

# The one-folder bundle the installer ships (build.spec, PyInstaller): dist/sealbid/.
bundle: $(STAMP) $(QM)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec

bundle-smoke: bundle
	bash installer/smoke.sh dist/sealbid

bench: $(STAMP)
	$(BIN)/python bench/seal_open.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
