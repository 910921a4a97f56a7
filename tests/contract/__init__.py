"""Requests and replies checked against the providers' official OpenAPI documents."""
