"""Statistics for admins: monthly counts and their exports."""
