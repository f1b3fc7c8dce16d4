"""Telling reporters who asked for it that there is news on their report: e-mail, SMS."""
