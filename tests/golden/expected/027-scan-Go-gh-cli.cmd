scan --offline --max-db-age 100000 --db db shared/lockfiles/Go/gh-cli/v2.60.0-2024-10/go.mod --format json
