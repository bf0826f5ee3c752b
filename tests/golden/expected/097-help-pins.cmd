pins --help
