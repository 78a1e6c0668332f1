"""The console channel: an interactive terminal chat and the JSON-lines chat of the evaluation."""
