"""How customers may pay."""
