attach --help
