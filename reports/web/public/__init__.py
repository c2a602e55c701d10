"""Published reports, for anyone."""
