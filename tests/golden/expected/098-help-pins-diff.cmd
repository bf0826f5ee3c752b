pins diff --help
