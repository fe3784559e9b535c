PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench bench-app lint corpus clean
.PHONY: audit fuzz hostile
.PHONY: bench-load
.PHONY: bench-dashboard
.PHONY: bench-export

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	bash scripts/apt-deps.sh
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cvassist demo --if-empty
	CVASSIST_AUTH=$${CVASSIST_AUTH:-none} \
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $${PORT:-8501}

test: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: $(STAMP) bench-app bench-dashboard bench-export
	$(BIN)/python -m evaluation.bench
	$(BIN)/python scripts/bench_train.py

bench-app: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m evaluation.bench_app

# Issue 6: the HR lead dashboard with 100,000 corrections, SQLite and PostgreSQL (≤ 1.5 s).
bench-dashboard: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m evaluation.bench_dashboard

# Issue 6: CSV export of 100,000 candidates, SQLite and PostgreSQL (≤ 60 s, flat memory).
bench-export: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m evaluation.bench_export

# Issue 7: 1,000-file batch with 2 workers on PostgreSQL, then 4 recruiters x 5 min per backend
# (quick run: make bench-load LOAD_ARGS="--files 200 --seconds 60").
bench-load: $(STAMP)
	bash scripts/services.sh
	$(BIN)/python -m evaluation.bench_load $(LOAD_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Known-vulnerability check of every installed package (needs PyPI's JSON API or OSV);
# --strict fails when a package could not be checked. Exceptions: security/pip-audit-ignore.txt.
AUDIT_IGNORES := $(shell sed -e 's/\#.*//' security/pip-audit-ignore.txt 2>/dev/null)
audit: $(STAMP)
	$(BIN)/pip-audit --local --skip-editable --strict --progress-spinner off \
		$(addprefix --ignore-vuln ,$(AUDIT_IGNORES))

# Long fuzz run of the parse entry point through the sandbox (CI runs 25 examples per target).
fuzz: $(STAMP)
	CVASSIST_FUZZ_EXAMPLES=$${CVASSIST_FUZZ_EXAMPLES:-5000} nice $(BIN)/python -m pytest -p no:xdist \
		-q tests/parsing/test_fuzz.py tests/parsing/test_properties.py

# Every file of ../shared/hostile through the sandbox (also part of `make test`).
hostile: $(STAMP)
	nice $(BIN)/python -m pytest -n 2 -q tests/parsing/test_hostile.py

corpus: $(STAMP)
	$(BIN)/cvassist corpus --out corpus_out --n 200 --seed 7

clean:
	rm -rf $(VENV) corpus_out
