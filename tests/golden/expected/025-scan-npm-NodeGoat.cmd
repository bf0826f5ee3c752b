scan --offline --max-db-age 100000 --db db shared/lockfiles/npm/NodeGoat/HEAD-2023-06/package-lock.json --format json
