"""The schema's migrations, grouped by number; core/store/schema.py lists them in order."""
