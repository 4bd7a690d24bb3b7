"""One module per subcommand: turn parsed arguments into library calls and a renderer."""
