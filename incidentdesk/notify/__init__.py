"""Outbound notifications: the delivery worker (delivery.py) and its channels (channels.py).

The outbox rows themselves are written by services/outbox.py in the transaction of each change;
this package only reads them, sends them and records the outcome. Only this package imports
apprise, and only when it sends.
"""
