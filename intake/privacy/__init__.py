"""Victims' data protected at rest and over time: keys, encryption, blind indexes, retention."""
