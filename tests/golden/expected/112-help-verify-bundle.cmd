verify bundle --help
