"""Business rules as plain functions: no request, session or current_user in here."""
