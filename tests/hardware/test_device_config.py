"""Printer settings, the file and device-file sinks, kind "none", and USB through escpos' Usb
(SPEC P-1, P-2)."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import usb.core

from core.errors import InputError, KassiError
from core.printing.documents import Document, Text
from core.printing.layout import layout
from core.printing.port import Delivery, PrinterConfigError, PrinterFault
from hardware.device import codepage_slot, connect_printer, validate_config
from tests.hardware.escpos_decoder import decode, first, texts
from tests.hardware.fake_printers import PrinterModel

pytestmark = pytest.mark.hardware


def test_defaults_are_filled_in() -> None:
    cfg = validate_config({"kind": "serial", "device": "/dev/ttyUSB0"})
    assert cfg["baud"] == 9600 and cfg["flow"] == "none" and cfg["timeout"] == 3
    assert cfg["width"] == 42 and cfg["codepage"] == "CP858" and cfg["drawer_pin"] == 2
    assert cfg["pulse_on_ms"] == 100 and cfg["pulse_off_ms"] == 100
    assert cfg["wait_drawer_closed"] is False
    assert validate_config({"kind": "network", "host": "10.0.0.5"})["port"] == 9100
    usb = validate_config({"kind": "usb", "vendor": "0x04b8", "product": "0x0202"})
    assert (usb["vendor"], usb["product"]) == (0x04B8, 0x0202)
    assert (
        validate_config({"kind": "file", "path": "var/printer.bin", "codepage": "cp865"})[
            "codepage"
        ]
        == "CP865"
    )
    assert validate_config({"kind": "none"})["kind"] == "none"


@pytest.mark.parametrize(
    "cfg,words",
    [
        ({}, "kind"),
        ({"kind": "bluetooth"}, "kind"),
        ({"kind": "serial"}, "device"),
        ({"kind": "serial", "device": ""}, "device"),
        ({"kind": "serial", "device": "/dev/ttyS0", "baud": 9601}, "baud"),
        ({"kind": "serial", "device": "/dev/ttyS0", "flow": "hardware"}, "flow"),
        ({"kind": "serial", "device": "/dev/ttyS0", "buad": 9600}, "buad"),
        ({"kind": "usb", "vendor": "0x04b8"}, "product"),
        ({"kind": "usb", "vendor": "0xZZ", "product": 1}, "vendor"),
        ({"kind": "usb", "vendor": 0x10000, "product": 1}, "vendor"),
        ({"kind": "network", "host": "printer", "port": 0}, "port"),
        ({"kind": "network", "host": "printer", "timeout": 0}, "timeout"),
        ({"kind": "network", "host": "printer", "timeout": True}, "timeout"),
        ({"kind": "file", "path": "x", "width": 10}, "width"),
        ({"kind": "file", "path": "x", "codepage": "CP999"}, "codepage"),
        ({"kind": "file", "path": "x", "drawer_pin": 3}, "drawer_pin"),
        ({"kind": "file", "path": "x", "pulse_on_ms": 1000}, "pulse_on_ms"),
        ({"kind": "file", "path": "x", "wait_drawer_closed": "no"}, "wait_drawer_closed"),
        ({"kind": "file", "path": "x", "profile": "TM-NOPE"}, "profile"),
        ({"kind": "file", "path": "x", "profile": "TM-T88II"}, "CP858"),  # that model lacks it
        ({"kind": "none", "device": "/dev/ttyS0"}, "device"),
        ("serial", "object"),
    ],
)
def test_bad_configs_are_clear_errors(cfg: object, words: str) -> None:
    with pytest.raises(InputError) as error:
        validate_config(cfg)  # type: ignore[arg-type]
    assert isinstance(error.value, ValueError) and isinstance(error.value, KassiError)
    assert words in error.value.message
    assert error.value.message.startswith("Printer setting:")


def test_the_code_page_slot_comes_from_the_printer_profile() -> None:
    assert codepage_slot(validate_config({"kind": "none"})) == 19
    assert codepage_slot(validate_config({"kind": "none", "profile": "TH230"})) == 6
    assert codepage_slot(validate_config({"kind": "none", "codepage_slot": 53})) == 53


def test_a_bad_setting_is_refused_by_the_factory() -> None:
    with pytest.raises(PrinterConfigError) as error:
        connect_printer({"kind": "laser"})
    assert "kind" in error.value.message


def test_file_sink_appends_and_is_sent_unconfirmed(tmp_path: Path) -> None:
    """escpos' File opens "wb"; ours appends, so the demo sink keeps every receipt."""
    path = tmp_path / "var" / "printer.bin"  # the parent is created: a demo just works
    doc = Document("t", [Text("Kvittering nr. 1 · æøå þð €")])
    cfg = {"kind": "file", "path": str(path), "width": 32, "profile": "TH230"}
    printer = connect_printer(cfg)
    assert not printer.can_confirm
    first_one = printer.deliver(printer.render(doc), pulse=True)
    assert printer.pulse_drawer() == "pulse_sent"
    again = connect_printer(cfg).deliver(printer.render(doc))
    assert first_one == Delivery(confirmed=False, drawer="pulse_sent")
    assert again == Delivery(confirmed=False)
    events = decode(path.read_bytes(), {0: "cp437", 6: "cp858"})
    assert texts(events) == [ln.text for ln in layout(doc, 32)] * 2
    assert first(events, "codepage") == ("codepage", 6)
    assert [e for e in events if e[0] == "pulse"] == [("pulse", 2, 100, 100)] * 2


def test_file_sink_status_is_not_readable(tmp_path: Path) -> None:
    status = connect_printer({"kind": "file", "path": str(tmp_path / "p.bin")}).status()
    assert not status.readable and status.fault() is None and status.error is None


def test_a_file_sink_it_cannot_write_says_so_in_its_status(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    status = connect_printer({"kind": "file", "path": str(locked / "p.bin")}).status()
    assert status.reason == "permission_denied" and not status.online


def test_missing_device_file_is_device_missing_and_never_created(tmp_path: Path) -> None:
    path = tmp_path / "usb" / "lp0"
    printer = connect_printer({"kind": "devfile", "path": str(path)})
    with pytest.raises(PrinterFault) as fault:
        printer.deliver(b"\x1b@")
    assert fault.value.reason == "device_missing"
    assert str(path) in fault.value.message
    assert printer.status().reason == "device_missing"
    assert not path.exists()  # a missing device is never faked with a regular file


def test_an_existing_device_file_is_written_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    path.write_bytes(b"before")
    delivery = connect_printer({"kind": "devfile", "path": str(path)}).deliver(b"\x1b@")
    assert delivery == Delivery(confirmed=False)
    assert path.read_bytes() == b"\x1b@fore"  # written from the start, as a device is


def test_file_under_a_regular_file_is_a_fault() -> None:
    with pytest.raises(PrinterFault) as fault:
        connect_printer({"kind": "file", "path": "/etc/hostname/printer.bin"}).deliver(b"x")
    assert fault.value.reason in ("io_error", "device_missing")
    assert "/etc/hostname/printer.bin" in fault.value.message


def test_unwritable_place_is_permission_denied(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        path = locked / "printer.bin"
    elif Path("/sys/kernel").is_dir():
        # root may write almost anywhere, but sysfs refuses new files even to root
        path = Path("/sys/kassi-printer-test.bin")
    else:
        pytest.skip("no place that refuses root here")
    try:
        with pytest.raises(PrinterFault) as fault:
            connect_printer({"kind": "file", "path": str(path)}).deliver(b"x")
    finally:
        if path.exists() and path.is_file():
            path.unlink()
    assert fault.value.reason == "permission_denied"
    assert "permission" in fault.value.message.lower()


def test_a_device_file_write_stuck_in_the_kernel_is_told_once(tmp_path: Path) -> None:
    """Protocol blocked_write: "blocked" while it is stuck, then "went" once, per device."""
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)  # with no reader, open() for writing blocks in the kernel
    cfg = {"kind": "devfile", "path": str(fifo), "timeout": 0.3}
    printer = connect_printer(cfg)
    assert printer.blocked_write() is None
    with pytest.raises(PrinterFault) as fault:
        printer.deliver(b"\x1b@")
    assert fault.value.reason == "write_timeout"
    again = connect_printer(cfg)  # a new Printer for the same device sees it too
    assert again.blocked_write() == "blocked"
    assert again.status().reason == "write_timeout"
    with pytest.raises(PrinterFault):  # nothing else goes while its bytes may yet go out
        again.deliver(b"\x1b@")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the stuck write finish
    try:
        end = time.monotonic() + 5
        got = b""
        while len(got) < 2 and time.monotonic() < end:
            try:
                got += os.read(reader, 16)
            except BlockingIOError:
                time.sleep(0.01)
        assert got == b"\x1b@"
        while again.blocked_write() == "blocked" and time.monotonic() < end:
            time.sleep(0.01)
    finally:
        os.close(reader)
    assert printer.blocked_write() is None  # "went" was told once, to `again`


def test_kind_none_prints_nothing_and_says_so() -> None:
    printer = connect_printer({"kind": "none"})
    with pytest.raises(PrinterFault) as fault:
        printer.deliver(b"x")
    assert fault.value.reason == "not_configured"
    with pytest.raises(PrinterFault):
        printer.pulse_drawer()
    assert not printer.status().readable


# -- USB, through escpos' own Usb class ------------------------------------------------


class MinimalUsbDevice:
    """Just the pyusb Device calls escpos' Usb and our link make; a PrinterModel behind it."""

    backend = PrinterModel()  # any object not from libusb1: escpos skips the kernel-driver dance

    def __init__(self, endpoints: tuple[int, ...] = (0x01, 0x81), **model: object) -> None:
        self.model = PrinterModel(**model)
        self.endpoints = endpoints
        self.inbox = bytearray()
        self.timeouts: list[int] = []
        self.write_error: Exception | None = None
        self._ctx = SimpleNamespace(dispose=lambda dev: None)  # usb.util.dispose_resources

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def get_active_configuration(self) -> dict:
        return {(0, 0): [SimpleNamespace(bEndpointAddress=a) for a in self.endpoints]}

    def write(self, ep: int, data: bytes, timeout: int) -> int:
        assert ep == self.endpoints[0]
        self.timeouts.append(timeout)
        if self.write_error is not None:
            raise self.write_error
        self.inbox += self.model.feed(bytes(data))
        return len(data)

    def read(self, ep: int, size: int, timeout: int) -> bytes:
        self.timeouts.append(timeout)
        if not self.inbox:
            raise usb.core.USBTimeoutError("timed out", errno=errno.ETIMEDOUT)
        got, self.inbox[:] = bytes(self.inbox[:size]), self.inbox[size:]
        return got


USB = {"kind": "usb", "vendor": "0x04b8", "product": "0x0202", "timeout": 0.5}


@pytest.fixture
def usb_device(monkeypatch: pytest.MonkeyPatch):
    """Patches only usb.core.find; everything else is pyusb's and escpos' own code."""
    found: dict = {"device": MinimalUsbDevice()}

    def find(**match: object) -> MinimalUsbDevice | None:
        assert match == {"idVendor": 0x04B8, "idProduct": 0x0202}
        return found["device"]

    monkeypatch.setattr(usb.core, "find", find)
    return found


def test_usb_confirms_with_a_timeout_that_is_never_zero(usb_device: dict) -> None:
    printer = connect_printer(USB)
    data = printer.render(Document("t", [Text("USB æøå")]))
    delivery = printer.deliver(data, pulse=True)
    dev = usb_device["device"]
    assert delivery.confirmed and delivery.drawer == "opened"
    assert dev.model.receipts == [data]
    assert dev.timeouts and all(0 < t <= 1000 for t in dev.timeouts)  # 0 = forever


def test_usb_without_an_in_endpoint_is_sent_unconfirmed(usb_device: dict) -> None:
    usb_device["device"] = MinimalUsbDevice(endpoints=(0x02,))
    printer = connect_printer(USB)
    assert printer.deliver(b"\x1b@", pulse=True) == Delivery(False, drawer="pulse_sent")
    assert not printer.can_confirm


def test_usb_faults(usb_device: dict) -> None:
    dev = usb_device["device"]
    dev.write_error = usb.core.USBTimeoutError("timed out", errno=errno.ETIMEDOUT)
    with pytest.raises(PrinterFault) as fault:
        connect_printer(USB).deliver(b"x")
    assert fault.value.reason == "write_timeout"
    dev.write_error = usb.core.USBError("denied", errno=errno.EACCES)
    with pytest.raises(PrinterFault) as fault:
        connect_printer(USB).deliver(b"x")
    assert fault.value.reason == "permission_denied"
    usb_device["device"] = None
    with pytest.raises(PrinterFault) as fault:
        connect_printer(USB).deliver(b"x")
    assert fault.value.reason == "device_missing"
    assert "04b8:0202" in fault.value.message


def test_usb_without_libusb_is_a_clear_fault() -> None:
    """The real path on a machine without libusb (as here): pyusb finds no backend."""
    try:
        usb.core.find()
    except usb.core.NoBackendError:
        pass
    else:
        pytest.skip("libusb is installed here")
    printer = connect_printer(USB)
    with pytest.raises(PrinterFault) as fault:
        printer.deliver(b"x")
    assert fault.value.reason == "unsupported" and "libusb" in fault.value.message
    assert printer.status().reason == "unsupported"


@pytest.mark.parametrize(
    "cfg",
    [
        {"kind": "serial", "device": "/dev/ttyS0"},
        {"kind": "usb", "vendor": 1, "product": 2},
        {"kind": "devfile", "path": "/dev/usb/lp0"},
        {"kind": "network", "host": "10.0.0.5"},
        {"kind": "file", "path": "var/p.bin"},
        {"kind": "none"},
    ],
)
def test_connect_printer_gives_what_the_printer_port_asks_for(cfg: dict) -> None:
    """P-3: core's print service talks to core.printing.port.Printer; nothing is opened yet."""
    from core.printing.port import Printer

    printer = connect_printer(cfg)
    members = set(Printer.__annotations__) | {
        "render",
        "deliver",
        "pulse_drawer",
        "status",
        "blocked_write",
        "close",
    }
    assert all(hasattr(printer, name) for name in members)
    assert printer.kind == cfg["kind"] and printer.timeout > 0 and printer.width == 42
    assert printer.can_confirm is (cfg["kind"] in ("serial", "usb", "network"))
