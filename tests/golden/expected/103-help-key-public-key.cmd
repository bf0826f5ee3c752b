key public-key --help
