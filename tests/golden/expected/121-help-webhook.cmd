webhook --help
