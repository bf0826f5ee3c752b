sign image --help
