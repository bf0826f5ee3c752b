db info --db nowhere --format json
