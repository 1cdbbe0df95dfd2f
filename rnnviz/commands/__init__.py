"""Headless subcommands of the rnnviz command line, one module each."""
