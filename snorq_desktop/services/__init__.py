"""What the window (and the API) ask for: inbox, labels, notes, team, connections,
analytics and accounts.  No Qt here: the window calls these through the one
database worker."""
