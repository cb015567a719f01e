# The two set-up commands in the README are `make run` and `make test`; each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean ts qm bundle bundle-smoke installer installer-check lock

# The app's translations: ui/i18n/sealbid_zh_CN.ts is the committed source (English → Chinese);
# `make ts` refreshes it from the tr() strings in ui/ (then translate what is new), and the .qm
# the app loads is built from it here, never committed.
TS := ui/i18n/sealbid_zh_CN.ts
QM := ui/i18n/sealbid_zh_CN.qm

# Every dependency (the app's, the tests' and the build backend's) is installed from
# requirements/lock.txt: exact versions with the sha256 of each file PyPI has for them, for
# Linux, Windows and macOS alike (`make lock` writes it from pyproject.toml). pip refuses a
# file whose hash is not in the lock; the package itself then goes in without its dependencies.
LOCK := requirements/lock.txt
UV_VERSION := 0.13.9

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "无法创建虚拟环境：请安装 python3-venv（sudo apt install python3-venv）/ cannot make a venv: sudo apt install python3-venv" >&2; exit 1; }
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Writes the lock again after a change to pyproject.toml's dependencies (keeps the versions
# already pinned where they still fit; `make lock UPGRADE=--upgrade` moves everything on).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q 'uv==$(UV_VERSION)'
	.venv-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra dev \
		--universal --python-version 3.11 --generate-hashes --index-url https://pypi.org/simple \
		--custom-compile-command "make lock" $(UPGRADE) -o $(LOCK)

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
# PYTHONHASHSEED fixed: the order of sets in the compiled modules (base_library.zip) is then the
# same from one build to the next (with SOURCE_DATE_EPOCH, which build.spec sets).
bundle: $(STAMP) $(QM)
	PYTHONHASHSEED=0 $(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec

bundle-smoke: bundle
	bash installer/smoke.sh dist/sealbid

# The Windows installer script compiled with Debian's makensis over this bundle (the Linux
# programs stand in for the .exe files; a Windows runner builds the real one, see
# .github/workflows/windows.yml), then unpacked with 7-Zip and compared with the bundle.
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
SETUP := dist/SealBid-$(VERSION)-setup.exe

installer: bundle
	makensis -V2 -WX -DBUNDLE_DIR=$(CURDIR)/dist/sealbid -DEXE=sealbid -DAPP_EXE=sealbidw \
		-DVERSION=$(VERSION) -DOUTFILE=$(CURDIR)/$(SETUP) installer/sealbid.nsi

installer-check: installer
	bash installer/check_installer.sh $(SETUP) dist/sealbid

bench: $(STAMP)
	$(BIN)/python bench/seal_open.py $(ARGS)

clean:
	rm -rf $(VENV) .venv-lock build *.egg-info
