pins shared/pinning-fixtures/scorecard/workflow-not-pinned.yaml --format sarif
