pins fix --help
