"""The composition root: the command line, the window's start-up, settings, paths and logs.

It builds the one database worker and the one HTTP client and passes them in;
nothing below it imports it."""
