"""The till in a browser (SPEC W-1..W-4): `kassi serve`, for thin clients.

Owns:
- server: the aiohttp routes around textual-serve's AppService: the pairing token checked
  on the page and on the websocket, one till process per terminal (W-1, W-2)
- pages: the till's page and the refusal page, as HTML
"""
