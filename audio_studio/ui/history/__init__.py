"""The History tab: tab.py (table, filters, actions), the detail pane, usage and upkeep pages."""
