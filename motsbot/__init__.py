"""The composition root: the `motsbot` command wires the core, adapters, scheduler and admin.

It lives apart from `bot/` because it imports every other package, and `bot/` imports none.
"""
