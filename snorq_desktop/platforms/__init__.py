"""The three platforms: their wire formats parsed into domain values, and their
webhook signatures checked.  Nothing here touches the database."""
