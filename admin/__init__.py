"""The admin web backend: organisers run the festival from the browser (`admin.app`)."""
