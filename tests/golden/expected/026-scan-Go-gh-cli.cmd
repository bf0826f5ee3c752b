scan --offline --max-db-age 100000 --db db shared/lockfiles/Go/gh-cli/v1.0.0/go.mod --format json
