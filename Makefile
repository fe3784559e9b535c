PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench bench-app lint corpus clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	bash scripts/apt-deps.sh
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cvassist demo --if-empty
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $${PORT:-8501}

test: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: $(STAMP) bench-app
	$(BIN)/python -m evaluation.bench

bench-app: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m evaluation.bench_app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

corpus: $(STAMP)
	$(BIN)/cvassist corpus --out corpus_out --n 200 --seed 7

clean:
	rm -rf $(VENV) corpus_out
