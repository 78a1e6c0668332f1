"""motsbot's channel-neutral core: festival data, store, understanding and the conversation engine.

Nothing in this package imports a platform library or another top-level package of motsbot.
"""
