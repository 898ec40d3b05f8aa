"""Signing in: passwords, two-factor codes for publishers, lockout after repeated failures, and site roles."""
