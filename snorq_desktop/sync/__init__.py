"""Work behind the window: the database worker, inbox operations, the demo's traffic."""
