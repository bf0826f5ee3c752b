verify-bundle --help
