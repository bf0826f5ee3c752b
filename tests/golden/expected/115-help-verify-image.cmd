verify image --help
