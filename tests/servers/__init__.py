"""Loopback HTTP servers speaking the providers' wire shapes, with switchable faults."""
