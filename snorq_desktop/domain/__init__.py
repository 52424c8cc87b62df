"""What the product is about, in plain Python: no database, network or window."""
