"""Command-line entry points: `bench` (argparse subcommands) and `bench-run` (the Hydra app)."""
