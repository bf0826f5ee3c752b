scan --offline --max-db-age 100000 --db db shared/lockfiles/PyPI/pipenv/2018-03-00158fc/Pipfile.lock --format json
