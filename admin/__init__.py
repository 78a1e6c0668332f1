"""The admin web backend: organisers run the festival from the browser."""

from admin.app import create_admin_app

__all__ = ["create_admin_app"]
