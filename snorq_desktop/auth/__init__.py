"""Logging in through the system browser: Google sign-in (OpenID Connect: a
loopback listener, PKCE, the id_token checked here) and the platforms' OAuth.

Knows HTTP and crypto; knows no database and no Qt (import-linter contracts).
"""
