db info --db db --format text
