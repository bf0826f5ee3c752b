db --help
