"""The webhook relay: the public HTTPS intake for Meta and TikTok webhooks."""
