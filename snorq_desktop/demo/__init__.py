"""The demo: its shop, its content, and the fake platforms it talks to."""
