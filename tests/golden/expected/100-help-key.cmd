key --help
