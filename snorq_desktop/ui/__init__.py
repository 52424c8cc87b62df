"""The window: Qt models, delegates, views and dialogs."""
