db info --db db --format json
