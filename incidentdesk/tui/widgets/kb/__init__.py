"""The knowledge base's console widgets: the incident pane's Knowledge tab and how a search hit is drawn."""
