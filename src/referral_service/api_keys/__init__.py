"""API-key administration (/v1/api-keys): issue, list, revoke. A feature above webhooks because
revoking a key disables the webhook subscriptions it created, in the same unit of work; the keys
themselves (hashing, the cache, principals) are the auth core's."""
