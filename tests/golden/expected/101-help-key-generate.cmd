key generate --help
