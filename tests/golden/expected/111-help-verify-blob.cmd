verify blob --help
