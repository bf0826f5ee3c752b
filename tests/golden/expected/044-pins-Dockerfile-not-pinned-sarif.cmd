pins shared/pinning-fixtures/scorecard/Dockerfile-not-pinned --format sarif
