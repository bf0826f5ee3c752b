scan --offline --max-db-age 100000 --db db shared/lockfiles/npm/NodeGoat/2019-06-5ddceb1/package-lock.json --format json
