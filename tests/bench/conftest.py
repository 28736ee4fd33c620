# Benchmarks are scripts run by hand (see README), never collected as tests.
collect_ignore_glob = ["*.py"]
