release --help
