db info --help
