"""The embedded offline engines: no key and no network."""
