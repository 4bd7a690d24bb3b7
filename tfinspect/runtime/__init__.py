"""Code that runs inside the user's own Python process: the guard, instrument(), stack frames."""
