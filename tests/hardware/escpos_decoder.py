"""The tests' ESC/POS decoder: the one in hardware.escpos_decode, strict by default.

It raises on any command kassi is not meant to send, and decodes with its own
code page table (Epson's ESC t table), not the renderer's, so a wrong slot
number shows up as wrong letters. See hardware/escpos_decode.py for the events.
"""

from __future__ import annotations

from hardware.escpos_decode import ALIGNS, EPSON_PAGES, DecodeError, decode, first, texts

__all__ = ["ALIGNS", "EPSON_PAGES", "DecodeError", "decode", "first", "texts"]
