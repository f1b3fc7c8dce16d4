"""Staff accounts: who may log in, with which role, and their server-side sessions."""
