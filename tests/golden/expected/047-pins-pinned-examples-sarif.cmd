pins shared/pinning-fixtures/pinned-examples --format sarif
