"""Printer configs, the file and device-file sinks, kind "none" and USB fault mapping."""

from __future__ import annotations

import errno
import os
import sys
import time
import types
from pathlib import Path

import pytest

from core.documents import Document, Text, layout
from core.errors import InputError, KassiError
from hardware.device import Printer, PrinterFault, codepage_slot, validate_config
from tests.hardware.escpos_decoder import decode, first, texts

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


def test_file_sink_appends(tmp_path: Path) -> None:
    path = tmp_path / "var" / "printer.bin"  # the parent is created: a demo just works
    doc = Document("t", [Text("Kvittering nr. 1 · æøå þð €")])
    with Printer({"kind": "file", "path": str(path), "width": 32, "profile": "TH230"}) as p:
        p.print_document(doc)
        p.open_drawer()
        p.print_document(doc)
    events = decode(path.read_bytes(), {0: "cp437", 6: "cp858"})
    assert texts(events) == [ln.text for ln in layout(doc, 32)] * 2
    assert first(events, "codepage") == ("codepage", 6)
    assert [e for e in events if e[0] == "pulse"] == [("pulse", 2, 100, 100)]


def test_file_sink_status_is_not_readable(tmp_path: Path) -> None:
    status = Printer({"kind": "file", "path": str(tmp_path / "p.bin")}).status()
    assert not status.readable and status.fault() is None


def test_missing_device_file_is_device_missing(tmp_path: Path) -> None:
    path = tmp_path / "usb" / "lp0"
    with pytest.raises(PrinterFault) as fault:
        Printer({"kind": "devfile", "path": str(path)}).send(b"\x1b@")
    assert fault.value.reason == "device_missing"
    assert str(path) in fault.value.message
    assert not path.exists()  # a missing device is never faked with a regular file


def test_file_under_a_regular_file_is_a_fault() -> None:
    with pytest.raises(PrinterFault) as fault:
        Printer({"kind": "file", "path": "/etc/hostname/printer.bin"}).send(b"x")
    assert fault.value.reason == "io_error"
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
            Printer({"kind": "file", "path": str(path)}).send(b"x")
    finally:
        if path.exists() and path.is_file():
            path.unlink()
    assert fault.value.reason == "permission_denied"
    assert "permission" in fault.value.message.lower()


def test_a_device_file_that_never_drains_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)  # with no reader, open() for writing blocks in the kernel
    printer = Printer({"kind": "devfile", "path": str(fifo), "timeout": 0.3})
    start = time.monotonic()
    with pytest.raises(PrinterFault) as fault:
        printer.send(b"\x1b@")
    assert fault.value.reason == "write_timeout"
    assert time.monotonic() - start < 1.0
    # while that write is still stuck, the next one fails at once instead of piling up
    start = time.monotonic()
    with pytest.raises(PrinterFault):
        printer.send(b"\x1b@")
    assert time.monotonic() - start < 0.1
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the stuck thread finish
    try:
        end = time.monotonic() + 5
        got = b""
        while len(got) < 2 and time.monotonic() < end:
            try:
                got += os.read(reader, 16)
            except BlockingIOError:
                time.sleep(0.01)
        assert got == b"\x1b@"
    finally:
        os.close(reader)


def test_kind_none_prints_nothing_and_says_so() -> None:
    printer = Printer({"kind": "none"})
    with pytest.raises(PrinterFault) as fault:
        printer.send(b"x")
    assert fault.value.reason == "not_configured"
    assert not printer.status().readable


class _USBError(Exception):
    def __init__(self, msg: str, errno_: int | None = None) -> None:
        super().__init__(msg)
        self.errno = errno_


class _USBTimeoutError(_USBError):
    pass


class _Endpoint:
    def __init__(self, address: int, script: dict) -> None:
        self.bEndpointAddress = address
        self.wMaxPacketSize = 64
        self.script = script

    def write(self, data: bytes, timeout: int) -> int:
        self.script["timeouts"].append(timeout)
        if self.script.get("write_error"):
            raise self.script["write_error"]
        self.script["written"] += data
        return len(data)

    def read(self, size: int, timeout: int) -> list[int]:
        return [0x12]


@pytest.fixture
def fake_pyusb(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Just enough of pyusb's API for the USB connection, with no USB stack."""
    script: dict = {"device": True, "written": bytearray(), "timeouts": []}
    out_ep, in_ep = _Endpoint(0x01, script), _Endpoint(0x82, script)

    class Device:
        def is_kernel_driver_active(self, n: int) -> bool:
            return False

        def set_configuration(self) -> None:
            pass

        def get_active_configuration(self) -> dict:
            return {(0, 0): [out_ep, in_ep]}

    usb = types.ModuleType("usb")
    core = types.ModuleType("usb.core")
    util = types.ModuleType("usb.util")
    core.USBError, core.USBTimeoutError = _USBError, _USBTimeoutError
    core.NoBackendError = type("NoBackendError", (Exception,), {})
    core.find = lambda idVendor, idProduct: Device() if script["device"] else None  # noqa: N803
    util.ENDPOINT_OUT, util.ENDPOINT_IN = 0x00, 0x80
    util.endpoint_direction = lambda address: address & 0x80
    util.find_descriptor = lambda intf, custom_match: next(
        (e for e in intf if custom_match(e)), None
    )
    util.dispose_resources = lambda dev: None
    usb.core, usb.util = core, util
    for name, module in (("usb", usb), ("usb.core", core), ("usb.util", util)):
        monkeypatch.setitem(sys.modules, name, module)
    return script


USB = {"kind": "usb", "vendor": "0x04b8", "product": "0x0202", "timeout": 2}


def test_usb_writes_with_a_timeout_and_reads_status(fake_pyusb: dict) -> None:
    with Printer(USB) as printer:
        printer.open_drawer()
        assert printer.status().online
    assert decode(bytes(fake_pyusb["written"]))[0] == ("pulse", 2, 100, 100)
    assert all(0 < t <= 2000 for t in fake_pyusb["timeouts"])  # never 0 = forever


def test_usb_faults(fake_pyusb: dict) -> None:
    fake_pyusb["write_error"] = _USBTimeoutError("timed out", errno.ETIMEDOUT)
    with pytest.raises(PrinterFault) as fault:
        Printer(USB).send(b"x")
    assert fault.value.reason == "write_timeout"
    fake_pyusb["write_error"] = _USBError("denied", errno.EACCES)
    with pytest.raises(PrinterFault) as fault:
        Printer(USB).send(b"x")
    assert fault.value.reason == "permission_denied"
    fake_pyusb["device"] = False
    with pytest.raises(PrinterFault) as fault:
        Printer(USB).send(b"x")
    assert fault.value.reason == "device_missing"
    assert "04b8:0202" in fault.value.message


def test_usb_without_pyusb_is_a_clear_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usb", None)  # makes `import usb` fail
    with pytest.raises(PrinterFault) as fault:
        Printer(USB).send(b"x")
    assert fault.value.reason == "unsupported" and "pyusb" in fault.value.message
