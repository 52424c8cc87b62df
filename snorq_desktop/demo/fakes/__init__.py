"""Local stand-ins for the platforms: real HTTP servers on 127.0.0.1 that speak
the documented wire formats (PLATFORMS.md).  The tests and ``--demo`` use them;
nothing else in the app imports them."""
