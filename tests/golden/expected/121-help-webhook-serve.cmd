webhook serve --help
