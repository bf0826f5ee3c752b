verify workloads --help
