"""Platform tokens sealed with AES-256-GCM; the key kept in the OS keychain."""
