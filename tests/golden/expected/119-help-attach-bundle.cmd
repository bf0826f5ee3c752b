attach bundle --help
