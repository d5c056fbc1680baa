"""The web app and HTTP API of ``allocator serve`` (see :mod:`allocator.web.app`)."""
