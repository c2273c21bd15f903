"""The `mase` command line."""
