sign blob --help
