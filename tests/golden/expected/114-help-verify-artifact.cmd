verify artifact --help
