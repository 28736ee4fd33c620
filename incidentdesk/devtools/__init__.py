"""Tools for people who develop and show incidentdesk, not use cases of the product: the demo
data set (`incidentdesk demo`) and the screenshot generator (`python -m
incidentdesk.devtools.screenshots`). At the top of the import graph: they drive the services and
the console like a user would, and nothing below imports them (the CLI's `demo` command loads
devtools.demo only when it runs).
"""
