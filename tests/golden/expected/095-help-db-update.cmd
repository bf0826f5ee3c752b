db update --help
