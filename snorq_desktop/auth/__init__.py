"""Logging in through the system browser: Google sign-in and the platforms' OAuth."""
