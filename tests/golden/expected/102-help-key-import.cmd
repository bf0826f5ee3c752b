key import --help
