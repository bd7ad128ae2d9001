# The commands a newcomer needs. Each one sets up what it needs first.
.PHONY: run demo-reset test lint fmt openapi bench messages

run:            ## set up, load the demo province and serve on http://127.0.0.1:8000
	bash scripts/run.sh

demo-reset:     ## start the demo over: delete var/db.sqlite3 and the demo's files, migrate, load it again
	bash scripts/setup.sh >/dev/null && .venv/bin/python manage.py seed_demo --reset --noinput

test:           ## the whole test suite (SQLite; with CI=true also PostgreSQL)
	bash scripts/test.sh

lint:           ## ruff, the apps' layers (lint-imports) and the types (mypy, docs/typing.md)
	bash scripts/setup.sh >/dev/null && .venv/bin/ruff check . && .venv/bin/ruff format --check . \
	  && .venv/bin/lint-imports --no-cache && .venv/bin/mypy

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

openapi:        ## regenerate docs/openapi.yaml after an API change
	.venv/bin/python manage.py spectacular --file docs/openapi.yaml --validate

messages:       ## compile the translations (English; Vietnamese for the libraries' API messages)
	.venv/bin/python manage.py compilemessages -l en -l vi

bench:          ## all benchmarks (see bench/README.md for each one and its options)
	bash bench/run.sh
