"""Signing in with Google (OpenID Connect) from a desktop app: the system
browser, a loopback listener, PKCE, and the id_token checked here.

Knows HTTP and crypto; knows no database and no Qt (import-linter contracts).
"""
