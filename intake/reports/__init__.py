"""Citizen intake: the report form and API, the confirmation, and tracking by reference and receipt."""
