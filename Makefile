# mase-mlir: two commands do everything on a fresh machine.
#   make run    set up, build, and run the main job on the bundled default model
#   make test   set up, build, and run every test (lit + pytest), with a summary line
# Both are incremental: with nothing changed they rebuild nothing.

SHELL := /bin/bash
.DEFAULT_GOAL := run

ROOT      := $(abspath .)
VENV      := $(ROOT)/.venv
BUILD     := $(ROOT)/build
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.mase-installed
SITE       = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
JOBS      ?= 2
# Serializes concurrent builds of one tree (e.g. make test while a build runs).
BUILD_LOCK ?= /tmp/mase-build.lock

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup sysdeps venv build lint clean freeze

# --- environment -----------------------------------------------------------

# Python 3.13 from pyenv (or python3.13 on PATH); see docs/toolchain.md.
$(VENV)/bin/python:
	@py=""; \
	if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.13.0 >/dev/null 2>&1; then \
	  py="$$(pyenv prefix 3.13.0)/bin/python3"; \
	elif command -v python3.13 >/dev/null 2>&1; then py="$$(command -v python3.13)"; fi; \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.13 not found. Install it with 'pyenv install 3.13.0' (or put python3.13 on PATH)." >&2; \
	  exit 1; fi; \
	echo "[setup] creating $(VENV) with $$py"; \
	"$$py" -m venv "$(VENV)"

$(STAMP): $(VENV)/bin/python env/requirements.txt env/constraints.txt
	@echo "[setup] installing pinned packages (env/constraints.txt); the first time takes a few minutes"
	@$(VENV)/bin/pip install --quiet --no-input --no-cache-dir \
	  -r env/requirements.txt -c env/constraints.txt > $(VENV)/pip.log 2>&1 \
	  || { grep -v '^WARNING: Location' $(VENV)/pip.log >&2; \
	       if grep -q 'No space left on device' $(VENV)/pip.log; then \
	         echo "error: the disk filled up while installing the pinned packages: the venv takes about 8 GB (PyPI's torch is its CUDA build); $$(df -h --output=avail $(VENV) | tail -1 | tr -d ' ') are free on the disk of $(VENV)" >&2; fi; \
	       exit 1; }
	@touch $@

venv: $(STAMP)

$(BUILD)/build.ninja: $(STAMP)
	@echo "[setup] configuring the C++ build in $(BUILD)"
	@cmake -G Ninja -S $(ROOT) -B $(BUILD) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DPython3_EXECUTABLE=$(PY) -DPython_EXECUTABLE=$(PY) \
	  -DLLVM_EXTERNAL_LIT=$(VENV)/bin/lit \
	  -DMLIR_DIR=$(SITE)/mlir/lib/cmake/mlir \
	  -DLLVM_DIR=$(SITE)/llvm/lib/cmake/llvm > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log >&2; exit 1; }

# Puts the source tree's Python package and the built bindings on the venv's
# path (like an editable install) and provides the `mase` command.
$(VENV)/.mase-dev: $(STAMP)
	@echo "$(ROOT)/python" > $(SITE)/mase_mlir_dev.pth
	@echo "$(BUILD)/python_packages" >> $(SITE)/mase_mlir_dev.pth
	@printf '#!%s\nimport sys\nfrom mase_mlir.cli.main import main\nsys.exit(main())\n' "$(PY)" > $(VENV)/bin/mase
	@chmod +x $(VENV)/bin/mase
	@touch $@

# Debian tools the hardware tests need (verilator, yosys, iverilog), and the PostgreSQL
# server the search's storage test starts for itself (initdb is not on PATH).
DEBIAN_TOOLS := verilator yosys iverilog
sysdeps:
	@missing=""; for t in $(DEBIAN_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "[setup] installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; } > $(ROOT)/build.apt.log 2>&1 \
	    || { cat $(ROOT)/build.apt.log >&2; echo "error: could not install$$missing with apt-get" >&2; exit 1; }; \
	fi

build: $(BUILD)/build.ninja $(VENV)/.mase-dev
	@set -o pipefail; flock $(BUILD_LOCK) ninja -C $(BUILD) -j$(JOBS) | { grep -v '^ninja: no work to do' || true; }

setup: sysdeps build

# --- the two commands --------------------------------------------------------

run: setup
	@$(VENV)/bin/mase run

test: setup
	@$(PY) test/run_all.py --build $(BUILD)

# --- developer conveniences --------------------------------------------------

lint: $(STAMP)
	@$(VENV)/bin/ruff check python test bench

freeze: $(STAMP)
	@(echo "# Exact pins of every package in the venv (direct and transitive). Regenerate with: make freeze"; \
	  $(VENV)/bin/pip freeze --all | grep -v '^pip==') > env/constraints.txt

clean:
	rm -rf $(BUILD) $(BUILD).configure.log $(ROOT)/build.apt.log
