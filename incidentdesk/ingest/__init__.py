"""Alert ingestion: payload parsers per monitoring tool, the settings, and the HTTP receiver.

Parsers turn a sender's JSON into an `AlertBatch` (plain frozen data) or raise PayloadError;
services/alerts.py writes a batch in one transaction.
"""
