pins shared/pinning-fixtures/pinned-examples --format json
