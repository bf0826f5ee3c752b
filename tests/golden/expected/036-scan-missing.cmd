scan --offline --max-db-age 100000 --db db nowhere.lock
